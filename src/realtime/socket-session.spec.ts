import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnauthorizedException } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { Session } from '../tokens/session';
import { accountRoom, sessionOf, tokenRoom } from './socket-session';

const session: Session = {
  tokenId: 3,
  accountId: 2,
  login: 'Alice',
  accountCreatedAt: 0,
  issuedAt: 0,
  expiresAt: 10_000,
  lastUsedAt: null,
  twoFactor: false,
  method: null,
  secondFactor: false,
  kind: 'session',
  scopes: null,
};
const socket = (data: unknown) => ({ data }) as unknown as Socket;

describe('socket sessions', () => {
  it('names the rooms after the account and the token', () => {
    assert.equal(accountRoom(2), 'account:2');
    assert.equal(tokenRoom(3), 'token:3');
  });

  it('gives the session of an admitted socket while its token lasts', () => {
    assert.equal(sessionOf(socket({ session }), 9_999), session);
    assert.throws(() => sessionOf(socket({ session }), 10_000), UnauthorizedException);
  });

  it('refuses a socket that was never admitted', () => {
    assert.throws(() => sessionOf(socket({}), 0), UnauthorizedException);
    assert.throws(() => sessionOf(socket(undefined), 0), UnauthorizedException);
  });
});
