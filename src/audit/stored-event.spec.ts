import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SecurityEvent } from '../events/security-event';
import { activityView, erased, isEventId, liveEventOf, newEventId, ownerView, rowOf } from './stored-event';

const revoked: SecurityEvent = {
  event: 'token.revoked',
  accountId: 7,
  login: 'Bob',
  cause: 'others',
  count: 3,
  address: '203.0.113.7',
  at: '2026-12-01T21:00:00.123Z',
  via: 'cli',
};

describe('stored events', () => {
  it('keeps the columns apart and every other field, whatever it is called, as details', () => {
    const row = rowOf('x', { ...revoked, client: 'Firefox on Linux', stage: 'second-factor', pinned: true });
    assert.deepEqual(row, {
      id: 'x',
      event: 'token.revoked',
      accountId: 7,
      login: 'Bob',
      address: '203.0.113.7',
      client: 'Firefox on Linux',
      at: Date.parse('2026-12-01T21:00:00.123Z'),
      via: 'cli',
      details: JSON.stringify({ cause: 'others', count: 3, stage: 'second-factor', pinned: true }),
    });
    assert.equal(
      rowOf('y', { event: 'account.locked', accountId: 1, login: 'a', address: null, at: revoked.at }).details,
      null,
    );
  });

  it('keeps no login for an event that named no account', () => {
    const row = rowOf('x', {
      event: 'sign-in.failed',
      accountId: null,
      login: 'what a stranger typed',
      address: '::1',
      at: revoked.at,
    });
    assert.equal(row.login, null);
    assert.equal(row.address, '::1');
  });

  it("shows the owner the event's log line with its id, and the account its own view", () => {
    const row = rowOf('x', revoked);
    assert.deepEqual(ownerView(row), { id: 'x', ...revoked, at: '2026-12-01T21:00:00.123Z' });
    assert.deepEqual(Object.keys(ownerView(row)).slice(0, 6), ['id', 'event', 'accountId', 'login', 'address', 'at']);
    assert.deepEqual(activityView(row), {
      id: 'x',
      event: 'token.revoked',
      at: '2026-12-01T21:00:00.123Z',
      address: '203.0.113.7',
      client: null,
      details: { cause: 'others', count: 3, via: 'cli' },
    });
    assert.deepEqual(liveEventOf(row), {
      id: 'x',
      accountId: 7,
      payload: { event: 'token.revoked', at: '2026-12-01T21:00:00.123Z', address: '203.0.113.7', client: null },
    });
    assert.equal(liveEventOf(rowOf('y', { ...revoked, accountId: null })), null);
  });

  it('erases login, address and client, and keeps the rest', () => {
    const row = rowOf('x', { ...revoked, client: 'Safari on iOS' });
    assert.deepEqual(erased(row), { ...row, login: null, address: null, client: null });
  });

  it('makes random 128-bit ids, and knows them from anything else', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.ok(isEventId(id), id);
    for (const text of [
      '',
      'x',
      `${newEventId()}A`,
      newEventId().slice(1),
      `${newEventId().slice(1)}=`,
      '../../../../../../etc',
    ])
      assert.equal(isEventId(text), false, text);
  });
});
