import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ExecutionContext, ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Session } from '../tokens/session';
import type { TokenVerifier } from '../tokens/token-verifier';
import { Auth, AuthLevel } from './auth-level';
import { AuthGuard, type AuthenticatedRequest } from './auth.guard';

const ALICE: Session = {
  tokenId: 7,
  accountId: 1,
  login: 'alice',
  accountCreatedAt: 0,
  issuedAt: 0,
  expiresAt: Number.MAX_SAFE_INTEGER,
  lastUsedAt: null,
  twoFactor: false,
  method: null,
  secondFactor: false,
  kind: 'session',
  scopes: null,
};

class Routes {
  @Auth(AuthLevel.Required)
  required(): void {}

  @Auth(AuthLevel.Optional)
  optional(): void {}

  undeclared(): void {}
}

/**
 * The token check as the guard sees it. 'hot' is remembered as valid, 'gone' as no longer
 * valid; of the tokens only the database knows, 'cold' is valid and any other is not.
 */
function tokensFake(): { service: TokenVerifier; databaseLookups: string[] } {
  const databaseLookups: string[] = [];
  const memory: Record<string, Session | null> = { hot: ALICE, gone: null };
  const service = {
    checkToken: (token: string) => {
      if (token in memory) return memory[token];
      databaseLookups.push(token);
      return Promise.resolve(token === 'cold' ? ALICE : null);
    },
  } as unknown as TokenVerifier;
  return { service, databaseLookups };
}

function contextFor(handler: keyof Routes, headers: Record<string, string>): [ExecutionContext, AuthenticatedRequest] {
  const request = { headers } as unknown as AuthenticatedRequest;
  const context = {
    getType: () => 'http',
    getClass: () => Routes,
    getHandler: () => Routes.prototype[handler],
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return [context, request];
}

describe('AuthGuard', () => {
  it('admits a remembered token synchronously, with no promise and no database lookup', () => {
    const { service, databaseLookups } = tokensFake();
    const [context, request] = contextFor('required', { authentication: 'hot' });
    const answer = new AuthGuard(new Reflector(), service).canActivate(context);
    assert.equal(answer, true);
    assert.equal(request.gatehouseSession, ALICE);
    assert.deepEqual(databaseLookups, []);
  });

  it('refuses a token remembered as no longer valid at once, without asking the database', () => {
    const { service, databaseLookups } = tokensFake();
    const [context, request] = contextFor('required', { authentication: 'gone' });
    assert.throws(() => new AuthGuard(new Reflector(), service).canActivate(context), UnauthorizedException);
    assert.equal(request.gatehouseSession, undefined);
    assert.deepEqual(databaseLookups, []);
  });

  it('asks the database for a token it does not remember, and answers with a promise', async () => {
    const { service, databaseLookups } = tokensFake();
    const guard = new AuthGuard(new Reflector(), service);
    const [cold, coldRequest] = contextFor('required', { authorization: 'Bearer cold' });
    const answer = guard.canActivate(cold);
    assert.ok(answer instanceof Promise);
    assert.equal(await answer, true);
    assert.equal(coldRequest.gatehouseSession, ALICE);

    const [unknown, unknownRequest] = contextFor('optional', { authentication: 'unknown' });
    await assert.rejects(async () => guard.canActivate(unknown), UnauthorizedException);
    assert.equal(unknownRequest.gatehouseSession, undefined);
    assert.deepEqual(databaseLookups, ['cold', 'unknown']);
  });

  it('refuses a malformed header without a lookup, and a route that declares no level', () => {
    const { service, databaseLookups } = tokensFake();
    const guard = new AuthGuard(new Reflector(), service);
    assert.throws(
      () => guard.canActivate(contextFor('optional', { authentication: 'two words' })[0]),
      UnauthorizedException,
    );
    assert.throws(() => guard.canActivate(contextFor('undeclared', { authentication: 'hot' })[0]), ForbiddenException);
    assert.equal(guard.canActivate(contextFor('optional', {})[0]), true);
    assert.deepEqual(databaseLookups, []);
  });
});
