import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

eachEngine(__filename, (db) => {
  // The service believes X-Forwarded-For from loopback peers, as behind a local reverse proxy.
  const running = appPerSuite(db, { TRUST_PROXY: 'loopback' });
  const api = client(() => running().url);

  describe('a forwarded address', () => {
    it('is used when it is an IP address, and the TCP peer is used instead of anything else', async () => {
      const handle = uniqueLogin('fwd');
      const pwd = b64('secret-password');
      const registered = await api.post('/api/auth/register', { handle, pwd });
      assert.equal(registered.status, 200);
      const signIn = async (forwarded: string) => {
        const reply = await api.post('/api/auth/login', { handle, pwd }, { 'X-Forwarded-For': forwarded });
        assert.equal(reply.status, 200, `${forwarded}: ${reply.text}`);
        return reply.body.token as string;
      };
      // Too long for the address column (MariaDB refused the row with a 500), and markup.
      await signIn('A'.repeat(46));
      await signIn('<img src=x onerror=alert(1)>');
      await signIn(`fe80::1%${'z'.repeat(40)}`);
      await signIn('2001:DB8::7');
      const last = await signIn('203.0.113.9, 198.51.100.7');

      const sessions = await api.get('/api/auth/sessions', { Authentication: last });
      assert.equal(sessions.status, 200);
      assert.deepEqual(
        sessions.body.sessions.map((session: { address: string }) => session.address),
        ['198.51.100.7', '2001:db8::7', '127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1'],
      );
      const stored = (await db().sql(
        'SELECT address FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.login = ?',
        [handle],
      )) as { address: string }[];
      assert.deepEqual(stored.map((row) => row.address).sort(), [
        '127.0.0.1',
        '127.0.0.1',
        '127.0.0.1',
        '127.0.0.1',
        '198.51.100.7',
        '2001:db8::7',
      ]);
      const logged = running()
        .events.filter((event) => event.login === handle)
        .map((event) => event.address);
      assert.deepEqual(logged, ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1', '2001:db8::7', '198.51.100.7']);
    });
  });
});
