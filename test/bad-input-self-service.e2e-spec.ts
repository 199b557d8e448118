import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type RunningApp } from './support/app';
import { describeRefusals, type PostEndpoint } from './support/bad-input';
import { eachEngine } from './support/engines';
import { assertErrorShape, assertHygienic, JSON_TYPE, json, send, snapshot, type Snapshot } from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';

/** CONTRACT section 6 for the self-service routes of section 11: every bad input refused, nothing changed. */
eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  /** The caller, and a second session of theirs that a successful revoke would end. */
  let owner: { login: string; password: string; token: string };
  let victim: { token: string; id: string };
  let baseline: Snapshot;

  before(async () => {
    running = await startApp(db());
    owner = await api.account(uniqueLogin('Owner'), 'owner-password');
    const second = await api.post('/auth', { login: owner.login, password: owner.password });
    const sessions = await api.get('/api/auth/sessions', { Authentication: owner.token });
    victim = { token: second.body.token, id: sessions.body.sessions.find((s: { current: boolean }) => !s.current).id };
    baseline = await snapshot(db());
    assert.equal(baseline.tokens.length, 2);
  });
  after(async () => {
    await running?.close();
  });

  const signedIn = () => ({ authentication: owner.token });
  const current = { field: 'pwd', encode: b64, wrongStatus: 403 };
  const ENDPOINTS: PostEndpoint[] = [
    {
      path: '/api/auth/sessions/revoke',
      fields: ['id'],
      valid: () => ({ id: victim.id }),
      auth: signedIn,
      creates: false,
      ids: ['id'],
    },
    {
      path: '/api/auth/sessions/revoke-others',
      fields: ['pwd'],
      valid: () => ({ pwd: b64(owner.password) }),
      auth: signedIn,
      creates: false,
      password: current,
    },
    {
      path: '/api/auth/password',
      fields: ['pwd', 'newPwd'],
      valid: () => ({ pwd: b64(owner.password), newPwd: b64('brand-new-password') }),
      auth: signedIn,
      creates: false,
      password: current,
      newPassword: { field: 'newPwd', encode: b64 },
    },
    {
      path: '/api/auth/delete',
      fields: ['pwd'],
      valid: () => ({ pwd: b64(owner.password) }),
      auth: signedIn,
      creates: false,
      password: current,
    },
  ];

  for (const endpoint of ENDPOINTS)
    describeRefusals(endpoint, { url: () => running.url, db, baseline: () => baseline });

  describe('without a valid caller token', () => {
    it('answers 401 to every self-service route, whatever the body: the guard runs before validation', async () => {
      const bodies = [
        '{}',
        '[]',
        json({ pwd: 5 }),
        json({ id: null }),
        json({ pwd: b64(owner.password), extra: 1 }),
        json({ pwd: b64(owner.password) }),
      ];
      for (const { path } of ENDPOINTS) {
        for (const headers of [
          JSON_TYPE,
          { ...JSON_TYPE, authentication: 'B'.repeat(43) },
          { ...JSON_TYPE, authorization: 'Basic abc' },
        ]) {
          for (const body of bodies)
            assertErrorShape(await send(running.url, path, { body, headers }), path, 401, `${path} ${body}`);
        }
      }
      for (const headers of [{}, { authentication: 'B'.repeat(43) }] as Record<string, string>[]) {
        assertErrorShape(
          await send(running.url, '/api/auth/sessions', { method: 'GET', headers }),
          '/api/auth/sessions',
          401,
          'GET sessions',
        );
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });

    it('GET /api/auth/sessions ignores any body and answers from the token alone', async () => {
      for (const request of [
        { body: '{', headers: JSON_TYPE },
        { body: 'x'.repeat(70_000), headers: JSON_TYPE },
        { body: 'a=1', headers: { 'content-type': 'text/plain' } },
      ]) {
        const reply = await send(running.url, '/api/auth/sessions', {
          ...request,
          method: 'GET',
          headers: { ...request.headers, ...signedIn() },
        });
        assertHygienic(reply, 'GET sessions with a body');
        assert.equal(reply.status, 200);
        assert.equal(reply.body.total, 2);
      }
    });
  });

  it('after every refusal: the same rows; then each valid body succeeds, the deletion last', async () => {
    assert.deepEqual(await snapshot(db()), baseline);
    for (const token of [owner.token, victim.token])
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
    for (const endpoint of ENDPOINTS) {
      const reply = await send(running.url, endpoint.path, {
        body: json(endpoint.valid()),
        headers: { ...JSON_TYPE, ...endpoint.auth() },
      });
      assert.equal(reply.status, 200, `${endpoint.path}: ${reply.text}`);
      if (endpoint.path === '/api/auth/password') owner.password = 'brand-new-password';
    }
    const after = await snapshot(db());
    assert.deepEqual(after, { accounts: [], tokens: [] }, 'the account and its tokens are gone');
  });
});
