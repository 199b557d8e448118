import type { INestApplication, Type } from '@nestjs/common';
import { PARAMTYPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { AuthLevel, TOKEN_SCHEME } from '../auth/auth-level';
import { AuthLevelAudit, type RouteLevel } from '../auth/auth-level-audit';
import { ACCEPTS_RESTRICTED_TOKEN } from '../auth/restricted-token';
import { ACCEPTS_OWN_ACCESS_TOKEN } from '../auth/scope';
import { FORM_BODY_PATHS } from '../http/json-body';
import { failuresOf, type RouteFailure } from '../http/api-errors';
import { type DialectName, dialectOf } from '../http/dialect';
import { SessionRestriction } from '../tokens/session-restriction';
import { type JsonSchema, requestSchema } from './request-schema';

/** Body fields that make a call count against the sign-in budgets of section 9 (README). */
const SECRET_FIELDS = ['password', 'pwd', 'newPwd', 'code'];

/** The field a client decides its next step by (CONTRACT section 18). */
const SECOND_FACTOR: JsonSchema = {
  type: 'string',
  enum: ['required', 'setup-required'],
  description:
    '`required`: send the second-factor code (`otp`) with the password; `setup-required`: the server requires two-factor sign-in and this token was issued without it',
};

/** The scope an access token lacked (CONTRACT section 21). */
const SCOPE: JsonSchema = {
  type: 'string',
  description: 'The scope the access token lacks for this call (`x-gatehouse-scope` of the operation)',
};

const ERROR_SCHEMAS: Record<DialectName, { name: string; schema: JsonSchema }> = {
  classic: {
    name: 'ClassicError',
    schema: {
      type: 'object',
      description: 'Error of the classic dialect: the HTTP reason phrase, and details in `message`.',
      properties: {
        error: { type: 'string', example: 'Bad Request' },
        message: { type: 'string' },
        secondFactor: SECOND_FACTOR,
        scope: SCOPE,
      },
      required: ['error'],
    },
  },
  birdhouse: {
    name: 'BirdhouseError',
    schema: {
      type: 'object',
      description: 'Error of the Birdhouse dialect: the HTTP reason phrase, and details in `message`.',
      properties: {
        status: { type: 'string', enum: ['error'] },
        error: { type: 'string', example: 'Unauthorized' },
        message: { type: 'string' },
        secondFactor: SECOND_FACTOR,
        scope: SCOPE,
      },
      required: ['status', 'error'],
    },
  },
};

/**
 * The statuses a route answers whatever it does, derived from what it declares: its level
 * (401 for a token; 429 for a token from an address over TOKEN_FAILURES_PER_MINUTE), its body
 * (400, 413, 415; 429 when the body carries a password or a recovery code), 503 (the database or
 * the shared store is away) and 500. Routes added by other modules are documented the same way
 * without declaring anything.
 */
function derivedFailures(
  level: AuthLevel | undefined,
  body: JsonSchema | undefined,
  refusesRestricted: boolean,
  scope: string | undefined,
): RouteFailure[] {
  const failures: RouteFailure[] = [];
  if (body)
    failures.push({ status: 400, description: 'Bad input: malformed JSON, a missing, unknown or mistyped field' });
  if (level === AuthLevel.Required)
    failures.push({ status: 401, description: 'No token, or an invalid, expired or revoked one' });
  if (level === AuthLevel.Optional) failures.push({ status: 401, description: 'An invalid, expired or revoked token' });
  if (level === AuthLevel.Required || level === AuthLevel.Optional) {
    const accessToken =
      scope === undefined
        ? 'An access token: this call takes a token from a sign-in'
        : `An access token without the scope \`${scope}\` (\`"scope":"${scope}"\`)`;
    const restricted =
      'TWO_FACTOR=required and the token was issued without a second factor (`"secondFactor":"setup-required"`)';
    failures.push({ status: 403, description: refusesRestricted ? `${accessToken}; or ${restricted}` : accessToken });
  }
  if (body) {
    failures.push({ status: 413, description: 'The body is over 64 KiB' });
    failures.push({ status: 415, description: 'The body is not JSON' });
  }
  const properties = Object.keys((body?.properties as object | undefined) ?? {});
  const attempts = properties.some((p) => SECRET_FIELDS.includes(p));
  // Section 23: a token sent from an address over TOKEN_FAILURES_PER_MINUTE.
  const tokens = level === AuthLevel.Required || level === AuthLevel.Optional;
  if (attempts || tokens) {
    const why = [
      ...(attempts ? ['too many attempts (per account and address, or per address)'] : []),
      ...(tokens ? ['too many refused tokens from this address'] : []),
    ].join(', or ');
    failures.push({ status: 429, description: `${why[0].toUpperCase()}${why.slice(1)}; see Retry-After` });
  }
  failures.push({
    status: 503,
    description: 'The database (or the shared store) cannot be reached; try again shortly',
  });
  // Never meant to happen; documented because a response that does must still match.
  failures.push({ status: 500, description: 'An unforeseen failure; the details go to the log only' });
  return failures;
}

function bodyType(route: RouteLevel): Type | undefined {
  const name = route.handler.name;
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, name) ?? {}) as Record<
    string,
    { index: number }
  >;
  const key = Object.keys(args).find((k) => k.startsWith(`${RouteParamtypes.BODY}:`));
  if (key === undefined) return undefined;
  const types = (Reflect.getMetadata(PARAMTYPES_METADATA, route.controller.prototype, name) ?? []) as Type[];
  const type = types[args[key].index];
  return type && type !== Object ? type : undefined;
}

function errorResponse(failure: RouteFailure, dialect: DialectName) {
  const schema = failure.schema ?? { $ref: `#/components/schemas/${ERROR_SCHEMAS[dialect].name}` };
  return {
    description: `${STATUS_CODES[failure.status] ?? 'Error'}: ${failure.description}`,
    content: { 'application/json': { schema } },
  };
}

/** Adds to swagger's operation what Gatehouse's decorators declare: body, errors, dialect. */
function describeRoute(document: OpenAPIObject, route: RouteLevel, restricting: boolean): void {
  const path = route.path.replace(/:(\w+)/g, '{$1}');
  const operation = document.paths[path]?.[route.method.toLowerCase() as 'get'];
  if (!operation) return;
  const schemas = (document.components!.schemas ??= {}) as Record<string, JsonSchema>;
  const dto = bodyType(route);
  const body = dto ? requestSchema(dto) : undefined;
  if (dto && body) {
    schemas[dto.name] = body;
    const schema = { $ref: `#/components/schemas/${dto.name}` };
    operation.requestBody = {
      required: true,
      content: {
        'application/json': { schema },
        ...(FORM_BODY_PATHS.has(route.path) ? { 'application/x-www-form-urlencoded': { schema } } : {}),
      },
    };
  }
  // "Not needed" is an explicit `security: []` (CONTRACT section 12): without it a reader (or
  // a linter) cannot tell a public route from one whose requirement was forgotten.
  if (route.level === AuthLevel.NotNeeded) operation.security = [];
  const dialect = dialectOf(route.controller);
  const refusesRestricted = restricting && Reflect.getMetadata(ACCEPTS_RESTRICTED_TOKEN, route.handler) !== true;
  const scope = route.scope;
  const failures = new Map<number, RouteFailure>();
  for (const failure of [
    ...derivedFailures(route.level, body, refusesRestricted, scope),
    ...failuresOf(route.handler),
  ]) {
    // A status both derived and declared keeps both reasons.
    const seen = failures.get(failure.status);
    failures.set(
      failure.status,
      seen && !failure.schema ? { ...failure, description: `${failure.description}; or ${seen.description}` } : failure,
    );
  }
  for (const failure of failures.values()) operation.responses[failure.status] = errorResponse(failure, dialect);
  const extensions = operation as unknown as Record<string, unknown>;
  extensions['x-dialect'] = dialect;
  if (route.level === AuthLevel.Required || route.level === AuthLevel.Optional) {
    // null: a route for sign-in tokens only (CONTRACT section 21).
    extensions['x-gatehouse-scope'] = scope ?? null;
    const line =
      scope === undefined
        ? Reflect.getMetadata(ACCEPTS_OWN_ACCESS_TOKEN, route.handler) === true
          ? 'Access tokens: accepted only to revoke themselves.'
          : 'Access tokens: not accepted (a token from a sign-in only).'
        : `Access tokens: need the scope \`${scope}\`.`;
    operation.description = operation.description ? `${operation.description}\n\n${line}` : line;
  }
}

/**
 * The OpenAPI document of the running application: every route of every controller,
 * extension modules' included (section 12 of the contract).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Gatehouse')
    .setDescription(
      'Accounts and tokens over two REST dialects (classic and Birdhouse) and token-authenticated socket.io. ' +
        'Each operation states its authentication level in `x-auth-level` and its error shape in `x-dialect`.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'Authentication', description: 'The token, bare or as `Bearer <token>`' },
      TOKEN_SCHEME,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // The API is served where the document is (swagger writes an empty list, which OpenAPI does not allow).
  document.servers = [{ url: '/', description: 'The server that serves this document' }];
  const schemas = (document.components!.schemas ??= {}) as Record<string, JsonSchema>;
  for (const { name, schema } of Object.values(ERROR_SCHEMAS)) schemas[name] = schema;
  const restricting = restrictionOf(app).active;
  for (const route of app.get(AuthLevelAudit).routes()) describeRoute(document, route, restricting);
  return document;
}

/** The application's SessionRestriction (TWO_FACTOR=required makes it active), if it has one. */
function restrictionOf(app: INestApplication): SessionRestriction | { active: false } {
  try {
    return app.get(SessionRestriction, { strict: false });
  } catch {
    return { active: false };
  }
}
