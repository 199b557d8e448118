import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type RunningApp } from './support/app';
import { describeRefusals, type PostEndpoint } from './support/bad-input';
import { eachEngine } from './support/engines';
import { assertErrorShape, JSON_TYPE, json, send, snapshot, type Snapshot } from './support/fuzz';
import { WELL_FORMED_ASSERTION, WELL_FORMED_REGISTRATION } from './support/fuzz-harness';
import { b64, client, uniqueLogin } from './support/http';
import { SoftwarePasskey } from './support/passkeys';

/**
 * CONTRACT section 6 for the routes of section 19: every bad input refused in the Birdhouse shape,
 * nothing changed. (`name` and `id` have rules of their own, checked in passkeys.e2e-spec.ts: a
 * missing name is the default, and any string id is 404.)
 */
eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  const PASSWORD = 'owner-password';
  let token: string;
  /** A passkey of the account, so that its removal's other checks are reached. */
  let passkeyId: string;
  let baseline: Snapshot;

  before(async () => {
    running = await startApp(db());
    token = (await api.account(uniqueLogin('PkBad'), PASSWORD)).token;
    const options = await api.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) }, { Authentication: token });
    const credential = new SoftwarePasskey().create(options.body.options);
    passkeyId = (await api.post('/api/auth/passkeys', { credential }, { Authentication: token })).body.passkey.id;
    baseline = await snapshot(db());
  });
  after(async () => {
    await running?.close();
  });

  const auth = () => ({ authentication: token });
  const current = { field: 'pwd', encode: b64, wrongStatus: 403 };
  const ENDPOINTS: PostEndpoint[] = [
    {
      path: '/api/auth/passkeys/options',
      fields: ['pwd'],
      valid: () => ({ pwd: b64(PASSWORD) }),
      auth,
      creates: false,
      password: current,
    },
    {
      path: '/api/auth/passkeys',
      fields: ['credential'],
      valid: () => ({ credential: WELL_FORMED_REGISTRATION, name: 'Laptop' }),
      auth,
      creates: false,
    },
    {
      path: '/api/auth/passkeys/remove',
      fields: ['pwd'],
      valid: () => ({ id: passkeyId, pwd: b64(PASSWORD) }),
      auth,
      creates: false,
      password: current,
    },
    {
      path: '/api/auth/passkey/login',
      fields: ['credential'],
      valid: () => ({ credential: WELL_FORMED_ASSERTION }),
      auth: () => ({}),
      creates: false,
    },
  ];

  for (const endpoint of ENDPOINTS)
    describeRefusals(endpoint, { url: () => running.url, db, baseline: () => baseline });

  describe('POST /api/auth/passkey/login/options', () => {
    it('takes {} and refuses anything else with 400 (415 for a body that is not JSON)', async () => {
      const path = '/api/auth/passkey/login/options';
      const cases: [string, Record<string, string>, number][] = [
        ['', JSON_TYPE, 400],
        ['[]', JSON_TYPE, 400],
        ['"x"', JSON_TYPE, 400],
        ['null', JSON_TYPE, 400],
        ['{"a":1}', JSON_TYPE, 400],
        ['{', JSON_TYPE, 400],
        [json({ __proto__: null, constructor: 1 }), JSON_TYPE, 400],
        ['{}', { 'content-type': 'text/plain' }, 415],
      ];
      for (const [body, headers, status] of cases) {
        const reply = await send(running.url, path, { body, headers });
        assertErrorShape(reply, path, status, `${path} ${JSON.stringify(body)}`, body);
      }
      const ok = await send(running.url, path, { body: '{}', headers: JSON_TYPE });
      assert.equal(ok.status, 200);
      assert.deepEqual(await snapshot(db()), baseline);
    });
  });
});
