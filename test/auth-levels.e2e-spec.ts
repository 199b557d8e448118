import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import { Auth, AuthLevel } from '../src/auth/auth-level';
import { AuthLevelAudit } from '../src/auth/auth-level-audit';
import { CurrentSession } from '../src/auth/current-session.decorator';
import type { Session } from '../src/tokens/session';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';

/** A module such as a team would add: one route per level, behind Gatehouse's guard. */
@Controller('api/example')
class ExampleController {
  @Get('open')
  @Auth(AuthLevel.NotNeeded)
  open(@CurrentSession() session?: Session) {
    return { status: 'ok', as: session?.login ?? null };
  }

  @Get('optional')
  @Auth(AuthLevel.Optional)
  optional(@CurrentSession() session?: Session) {
    return { status: 'ok', as: session?.login ?? null };
  }

  @Get('required')
  @Auth(AuthLevel.Required)
  required(@CurrentSession() session: Session) {
    return { status: 'ok', as: session.login };
  }
}

/** One handler, inherited by two controllers that declare different levels. */
class SharedRoutes {
  @Get('who')
  who(@CurrentSession() session?: Session) {
    return { status: 'ok', as: session?.login ?? null };
  }
}

@Controller('api/example-open')
@Auth(AuthLevel.NotNeeded)
class OpenCopyController extends SharedRoutes {}

@Controller('api/example-closed')
@Auth(AuthLevel.Required)
class ClosedCopyController extends SharedRoutes {}

@Module({ controllers: [ExampleController, OpenCopyController, ClosedCopyController] })
class ExampleModule {}

@Controller('api/forgotten')
class UndeclaredController {
  @Get()
  forgotten() {
    return { status: 'ok' };
  }
}

@Module({ controllers: [UndeclaredController] })
class UndeclaredModule {}

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, {}, [ExampleModule]);
  const api = client(() => running().url);
  let login: string;
  let token: string;
  let revoked: string;

  before(async () => {
    ({ login, token } = await api.account(uniqueLogin('Level')));
    revoked = (await api.post('/auth', { login, password: 'secret-password' })).body.token;
    await api.post('/api/auth/invalidate', { token: revoked }, { Authentication: token });
  });

  const as = async (path: string, headers?: Record<string, string>) => {
    const reply = await api.get(path, headers);
    return [reply.status, reply.body.as] as const;
  };

  it('serves a "not needed" route to anyone and ignores any token header', async () => {
    assert.deepEqual(await as('/api/example/open'), [200, null]);
    assert.deepEqual(await as('/api/example/open', { Authentication: token }), [200, null]);
    assert.deepEqual(await as('/api/example/open', { Authentication: 'garbage' }), [200, null]);
    assert.deepEqual(await as('/api/example/open', { Authentication: revoked }), [200, null]);
  });

  it('serves an "optional" route anonymously, as the account, or refuses a bad token', async () => {
    assert.deepEqual(await as('/api/example/optional'), [200, null]);
    assert.deepEqual(await as('/api/example/optional', { Authentication: token }), [200, login]);
    assert.deepEqual(await as('/api/example/optional', { Authentication: 'garbage' }), [401, undefined]);
    assert.deepEqual(await as('/api/example/optional', { Authentication: revoked }), [401, undefined]);
  });

  it('refuses a "required" route without a valid token', async () => {
    assert.deepEqual(await as('/api/example/required'), [401, undefined]);
    assert.deepEqual(await as('/api/example/required', { Authentication: revoked }), [401, undefined]);
    assert.deepEqual(await as('/api/example/required', { Authentication: token }), [200, login]);
  });

  it("holds a handler inherited by two controllers to each controller's level", async () => {
    // The open copy is served first, so that a level remembered by handler alone would open the other.
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(await as('/api/example-open/who'), [200, null]);
      assert.deepEqual(await as('/api/example-closed/who'), [401, undefined]);
      assert.deepEqual(await as('/api/example-closed/who', { Authentication: token }), [200, login]);
    }
  });

  it('accepts every header form of the contract', async () => {
    const forms: Record<string, string>[] = [
      { Authentication: token },
      { Authentication: `Bearer ${token}` },
      { Authentication: `bearer ${token}` },
      { Authentication: `BEARER     ${token}` },
      { Authorization: `Bearer ${token}` },
      { Authorization: `bEaReR   ${token}` },
      { Authentication: `  ${token}  ` },
    ];
    for (const headers of forms)
      assert.deepEqual(await as('/api/example/required', headers), [200, login], JSON.stringify(headers));
  });

  it('refuses malformed header forms and tokens in the query string', async () => {
    const forms: Record<string, string>[] = [
      { Authorization: token },
      { Authorization: `Basic ${token}` },
      { Authentication: `Token ${token}` },
      { Authentication: `Bearer` },
      { Authentication: `Bearer ${token} extra` },
      { Authentication: `${token}x` },
      { Authentication: token.slice(0, -1) },
      { Authentication: 'x'.repeat(8000) },
    ];
    for (const headers of forms) {
      const reply = await api.get('/api/auth/me', headers);
      assert.equal(reply.status, 401, JSON.stringify(headers).slice(0, 80));
      assert.deepEqual([reply.body.status, reply.body.error], ['error', 'Unauthorized']);
    }
    for (const query of [`token=${token}`, `access_token=${token}`, `Authentication=${token}`]) {
      assert.equal((await api.get(`/api/auth/me?${query}`)).status, 401);
    }
  });

  it('declares a level on every route of the application', () => {
    const routes = running().app.get(AuthLevelAudit).routes();
    const paths = routes.map((r) => r.route);
    for (const expected of [
      'POST /register',
      'POST /auth',
      'POST /api/auth/register',
      'POST /api/auth/login',
      'POST /api/auth/invalidate',
      'GET /api/auth/me',
      'POST /api/auth/recover',
      'GET /health',
    ]) {
      assert.ok(paths.includes(expected), `${expected} is listed`);
    }
    const undeclared = routes.filter((r) => !Object.values(AuthLevel).includes(r.level as AuthLevel));
    assert.deepEqual(undeclared, []);
    const levels = Object.fromEntries(routes.map((r) => [r.route, r.level]));
    assert.equal(levels['GET /api/auth/me'], AuthLevel.Required);
    assert.equal(levels['POST /api/auth/invalidate'], AuthLevel.Required);
    assert.equal(levels['POST /auth'], AuthLevel.NotNeeded);
    for (const route of [
      'GET /api/auth/sessions',
      'POST /api/auth/sessions/revoke',
      'POST /api/auth/sessions/revoke-others',
      'POST /api/auth/password',
      'POST /api/auth/delete',
    ]) {
      assert.equal(levels[route], AuthLevel.Required, route);
    }
  });

  it('refuses to start with a route that declares no level', async (t) => {
    // A half-started app keeps a database pool handle open; the refusal is engine-independent.
    if (db().engine !== 'sqlite') return t.skip('checked on SQLite');
    await assert.rejects(startApp(db(), {}, [UndeclaredModule]), /routes without an @Auth level: GET \/api\/forgotten/);
  });
});
