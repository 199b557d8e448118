import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { before, describe, it } from 'node:test';
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { Auth, AuthLevel } from '../src/auth/auth-level';
import { AuthLevelAudit } from '../src/auth/auth-level-audit';
import { declaredDialect } from '../src/http/dialect';
import { isBirdhousePath } from '../src/http/error-body';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { client, request } from './support/http';

class NoteDto {
  @IsString()
  text: string;

  @IsOptional()
  @IsString()
  pwd?: string;
}

class NoteReply {
  @ApiProperty({ enum: ['ok'] })
  status: 'ok';

  @ApiProperty()
  length: number;
}

/** What a team would add: routes on every level, one with a body, documented with no extra work. */
@Controller('api/notes')
class NotesController {
  @Get('open')
  @Auth(AuthLevel.NotNeeded)
  open() {
    return { status: 'ok' };
  }

  @Get('mine')
  @Auth(AuthLevel.Optional)
  mine() {
    return { status: 'ok' };
  }

  @Post()
  @HttpCode(200)
  @Auth(AuthLevel.Required)
  @ApiOkResponse({ type: NoteReply })
  add(@Body() body: NoteDto) {
    return { status: 'ok', length: body.text.length };
  }

  /** Answers something other than its document says: the response check must catch it. */
  @Get('liar')
  @Auth(AuthLevel.NotNeeded)
  @ApiOkResponse({ type: NoteReply })
  liar() {
    return { status: 'ok', length: 'long' };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

type Operation = {
  'x-auth-level': string;
  'x-dialect': string;
  'x-gatehouse-scope'?: string | null;
  description?: string;
  security?: object[];
  requestBody?: unknown;
  responses: Record<string, any>;
};

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, {}, [NotesModule]);
  let document: {
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, any>; securitySchemes: any };
  };
  const api = client(() => running().url);
  const op = (path: string, method: string) => document.paths[path][method];

  before(async () => {
    document = (await api.get('/docs/openapi.json')).body;
  });

  it('describes every route of the application, extension modules included, with the level the guard enforces', () => {
    const routes = running().app.get(AuthLevelAudit).routes();
    assert.ok(routes.some((r) => r.path === '/api/notes/mine'));
    const security = { 'not needed': [], optional: [{ Authentication: [] }, {}], required: [{ Authentication: [] }] };
    for (const route of routes) {
      const operation = document.paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.route} is documented`);
      assert.equal(operation['x-auth-level'], route.level, route.route);
      assert.deepEqual(operation.security ?? [], security[route.level!], route.route);
    }
    assert.deepEqual(document.components.securitySchemes.Authentication, {
      type: 'apiKey',
      in: 'header',
      name: 'Authentication',
      description: 'The token, bare or as `Bearer <token>`',
    });
    assert.ok(!Object.keys(document.paths).some((p) => p.startsWith('/docs') || p.startsWith('/account')));
  });

  it("lists each route's error statuses in its dialect's shape", () => {
    const statuses = (path: string, method: string) => Object.keys(op(path, method).responses).sort();
    assert.deepEqual(statuses('/register', 'post'), ['200', '400', '409', '413', '415', '429', '500', '503']);
    assert.deepEqual(statuses('/auth', 'post'), ['200', '400', '401', '403', '413', '415', '429', '500', '503']);
    assert.deepEqual(statuses('/api/auth/login', 'post'), [
      '200',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    assert.deepEqual(statuses('/api/auth/invalidate', 'post'), [
      '200',
      '400',
      '401',
      '403',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    // Every route that takes a token may refuse an access token (CONTRACT section 21): 403.
    assert.deepEqual(statuses('/api/auth/me', 'get'), ['200', '401', '403', '429', '500', '503']);
    assert.deepEqual(statuses('/health', 'get'), ['200', '500', '503']);
    assert.deepEqual(statuses('/api/notes/open', 'get'), ['200', '500', '503']);
    assert.deepEqual(statuses('/api/notes/mine', 'get'), ['200', '401', '403', '429', '500', '503']);
    assert.deepEqual(statuses('/api/notes', 'post'), ['200', '400', '401', '403', '413', '415', '429', '500', '503']);
    const schemaOf = (path: string, method: string, status: string) =>
      op(path, method).responses[status].content['application/json'].schema.$ref;
    assert.equal(schemaOf('/register', 'post', '409'), '#/components/schemas/ClassicError');
    assert.equal(schemaOf('/api/auth/me', 'get', '401'), '#/components/schemas/BirdhouseError');
    assert.equal(schemaOf('/api/notes', 'post', '415'), '#/components/schemas/BirdhouseError');
    assert.deepEqual(document.components.schemas.BirdhouseError.required, ['status', 'error']);
    assert.deepEqual(document.components.schemas.ClassicError.required, ['error']);
  });

  it('shows the scope an access token needs on each token-taking route, or that it takes none', () => {
    const scopeOf = (path: string, method: string) =>
      (op(path, method) as { 'x-gatehouse-scope'?: unknown })['x-gatehouse-scope'];
    assert.equal(scopeOf('/api/auth/me', 'get'), 'account:read');
    assert.equal(scopeOf('/api/auth/sessions', 'get'), 'sessions:read');
    assert.equal(scopeOf('/api/auth/activity', 'get'), 'sessions:read');
    assert.equal(scopeOf('/api/auth/introspect', 'post'), 'introspect');
    assert.equal(scopeOf('/api/auth/tokens', 'get'), 'account:read');
    for (const path of [
      '/api/auth/password',
      '/api/auth/delete',
      '/api/auth/tokens',
      '/api/auth/sessions/revoke-others',
    ])
      assert.equal(scopeOf(path, 'post'), null, path);
    assert.equal(scopeOf('/api/auth/login', 'post'), undefined);
    assert.match(String(op('/api/auth/me', 'get').description), /scope `account:read`/);
    assert.match(String(op('/api/auth/password', 'post').description), /not accepted/);
    assert.ok((document.components.schemas.BirdhouseError.properties as Record<string, unknown>).scope);
    const form = (op('/api/auth/introspect', 'post').requestBody as { content: Record<string, unknown> }).content;
    assert.deepEqual(Object.keys(form).sort(), ['application/json', 'application/x-www-form-urlencoded']);
  });

  it('documents request bodies from the validation decorators and success bodies from the DTO classes', () => {
    assert.deepEqual(document.components.schemas.BirdhouseCredentialsDto, {
      type: 'object',
      properties: { handle: { type: 'string' }, pwd: { type: 'string' } },
      required: ['handle', 'pwd'],
      additionalProperties: false,
    });
    assert.deepEqual(document.components.schemas.NoteDto.required, ['text']);
    assert.deepEqual(op('/api/auth/register', 'post').requestBody, {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/BirdhouseCredentialsDto' } } },
    });
    // Sign-in takes the second-factor code too (CONTRACT section 18), optional.
    assert.deepEqual(op('/api/auth/login', 'post').requestBody, {
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/BirdhouseSignInDto' } } },
    });
    assert.deepEqual(document.components.schemas.BirdhouseSignInDto, {
      type: 'object',
      properties: {
        handle: { type: 'string' },
        pwd: { type: 'string' },
        otp: { type: 'string' },
      },
      required: ['handle', 'pwd'],
      additionalProperties: false,
    });
    assert.equal(
      op('/api/auth/me', 'get').responses['200'].content['application/json'].schema.$ref,
      '#/components/schemas/MeResponse',
    );
    assert.ok(document.components.schemas.TokenResponse);
  });

  it("declares a dialect on each controller that agrees with the error filter's rule", () => {
    for (const route of running().app.get(AuthLevelAudit).routes()) {
      const declared = declaredDialect(route.controller);
      const byPath = isBirdhousePath(route.path) ? 'birdhouse' : 'classic';
      if (declared) assert.equal(declared, byPath, route.route);
      assert.equal(op(route.path, route.method.toLowerCase())['x-dialect'], byPath, route.route);
    }
  });

  it('checks every response against the document, and fails a response that does not match', async () => {
    const { token } = await api.account();
    assert.equal((await api.post('/api/notes', { text: 'four' }, { Authentication: token })).body.length, 4);
    await assert.rejects(
      api.get('/api/notes/liar'),
      (error: Error) => error instanceof AssertionError && /length must be number/.test(error.message),
    );
  });

  it("serves Swagger UI under the service's CSP, without inline scripts", async () => {
    const page = await api.get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(page.text, /<script>(?!\s*<\/script>)/);
    assert.equal((await api.get('/docs/swagger-ui-init.js')).status, 200);
  });

  it('serves the account page as static files under a CSP without unsafe-inline or unsafe-eval', async () => {
    const page = await api.get('/account');
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy')!;
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1];
    assert.equal(scriptSrc, "'self'");
    assert.doesNotMatch(page.text, /<script(?![^>]*\bsrc=)/);
    assert.doesNotMatch(page.text, /\son[a-z]+=/i);
    for (const file of ['/account/account.js', '/account/account.css', '/account/socket.io.min.js']) {
      assert.equal((await api.get(file)).status, 200, file);
    }
  });
});

describe('API_DOCS=off and ACCOUNT_PAGE=off', () => {
  eachEngine(`${__filename}-off`, (db) => {
    const running = appPerSuite(db, { API_DOCS: 'off', ACCOUNT_PAGE: 'off' });

    it('answers 404 on /docs, /docs/openapi.json, /account and its files', async () => {
      for (const path of [
        '/docs',
        '/docs/',
        '/docs/openapi.json',
        '/docs/swagger-ui-init.js',
        '/account',
        '/account/account.js',
        '/account/socket.io.min.js',
      ]) {
        assert.equal((await request(running().url, 'GET', path)).status, 404, path);
      }
    });
  });
});
