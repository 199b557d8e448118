import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startApp, type RunningApp } from './support/app';
import { describeRefusals, type PostEndpoint } from './support/bad-input';
import { eachEngine } from './support/engines';
import { assertErrorShape, JSON_TYPE, json, send, snapshot, type Snapshot } from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';

/** CONTRACT section 6 for the access-token routes of section 21: every bad input refused, nothing changed. */
eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  let owner: { login: string; password: string; token: string };
  /** An access token of the owner's that a successful revoke would end. */
  let victim: { token: string; id: string };
  let baseline: Snapshot;

  before(async () => {
    running = await startApp(db());
    owner = await api.account(uniqueLogin('Owner'), 'owner-password');
    const created = await api.post(
      '/api/auth/tokens',
      { name: 'victim', scopes: ['account:read'], pwd: b64(owner.password) },
      { Authentication: owner.token },
    );
    assert.equal(created.status, 200, created.text);
    victim = created.body as { token: string; id: string };
    baseline = await snapshot(db());
  });
  after(async () => {
    await running?.close();
  });

  const signedIn = () => ({ authentication: owner.token });
  const ENDPOINTS: PostEndpoint[] = [
    {
      path: '/api/auth/tokens',
      fields: ['name', 'scopes', 'pwd'],
      valid: () => ({ name: 'script', scopes: ['account:read'], pwd: b64(owner.password) }),
      auth: signedIn,
      creates: false,
      password: { field: 'pwd', encode: b64, wrongStatus: 403 },
    },
    {
      path: '/api/auth/tokens/revoke',
      fields: ['id'],
      valid: () => ({ id: victim.id }),
      auth: signedIn,
      creates: false,
      ids: ['id'],
    },
  ];

  for (const endpoint of ENDPOINTS)
    describeRefusals(endpoint, { url: () => running.url, db, baseline: () => baseline });

  it('POST /api/auth/introspect refuses bad JSON bodies with 400 in the Birdhouse shape, and other types with 415', async () => {
    const cases: [string, number, Record<string, string>][] = [
      ['{', 400, JSON_TYPE],
      [`${json({ token: 'a' })}x`, 400, JSON_TYPE],
      [`${json({ token: 'a' })}${json({ token: 'b' })}`, 400, JSON_TYPE],
      [json({ token: 'a', pad: 'x'.repeat(70_000) }), 413, JSON_TYPE],
      [json({ token: 'a', pad: 'x'.repeat(70_000) }), 413, { 'content-type': 'application/json; charset=utf-8' }],
      ['\ufeff7', 400, JSON_TYPE],
      ['  ', 400, JSON_TYPE],
      ['[]', 400, JSON_TYPE],
      ['"token"', 400, JSON_TYPE],
      [json({}), 400, JSON_TYPE],
      [json({ token: 1 }), 400, JSON_TYPE],
      [json({ token: ['a'] }), 400, JSON_TYPE],
      [json({ token: victim.token, extra: true }), 400, JSON_TYPE],
      [json({ token: victim.token, token_type_hint: null }), 400, JSON_TYPE],
      ['token=a&token=b', 400, { 'content-type': 'application/x-www-form-urlencoded' }],
      ['token=a&x=1', 400, { 'content-type': 'application/x-www-form-urlencoded' }],
      ['', 400, { 'content-type': 'application/x-www-form-urlencoded' }],
      [`token=${victim.token}`, 415, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' }],
      [`token=${victim.token}`, 415, { 'content-type': 'text/plain' }],
      [`token=${victim.token}`, 415, { 'content-type': 'multipart/form-data; boundary=x' }],
    ];
    for (const [body, status, headers] of cases) {
      const reply = await send(running.url, '/api/auth/introspect', { body, headers: { ...signedIn(), ...headers } });
      assertErrorShape(reply, '/api/auth/introspect', status, `introspect ${body.slice(0, 40)}`, body);
    }
    assert.deepEqual(await snapshot(db()), baseline);
  });
});
