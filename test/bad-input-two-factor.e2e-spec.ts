import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OffsetClock } from '../src/clock/clock';
import { startApp, type RunningApp } from './support/app';
import { describeRefusals, type PostEndpoint } from './support/bad-input';
import { eachEngine } from './support/engines';
import { assertErrorShape, JSON_TYPE, json, send, snapshot, type Snapshot } from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';
import { enrol, totp } from './support/two-factor';

/**
 * CONTRACT section 6 for the routes of section 18 and for its `otp` field on every call that
 * takes one: every bad input refused in the route's dialect, nothing changed.
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  let running: RunningApp;
  const api = client(() => running.url);
  const PASSWORD = 'owner-password';
  /** Without two-factor, a setup pending; and with two-factor on. */
  let pending: { token: string; secret: string };
  let enrolled: { login: string; token: string; secret: string };
  let baseline: Snapshot;

  before(async () => {
    running = await startApp(db(), {}, [], { clock });
    const first = await api.account(uniqueLogin('Pending'), PASSWORD);
    const setup = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, { Authentication: first.token });
    pending = { token: first.token, secret: setup.body.secret };
    const second = await api.account(uniqueLogin('Enrolled'), PASSWORD);
    enrolled = { ...second, secret: (await enrol(api, second.token, PASSWORD, clock)).secret };
    baseline = await snapshot(db());
  });
  after(async () => {
    await running?.close();
  });

  const current = { field: 'pwd', encode: b64, wrongStatus: 403 };
  const code = (secret: string) => totp(secret, clock.now());
  const ENDPOINTS: PostEndpoint[] = [
    {
      path: '/api/auth/2fa/setup',
      fields: ['pwd'],
      valid: () => ({ pwd: b64(PASSWORD) }),
      auth: () => ({ authentication: pending.token }),
      creates: false,
      password: current,
    },
    {
      path: '/api/auth/2fa/enable',
      fields: ['code'],
      valid: () => ({ code: code(pending.secret) }),
      auth: () => ({ authentication: pending.token }),
      creates: false,
    },
    {
      path: '/api/auth/2fa/disable',
      fields: ['pwd', 'otp'],
      valid: () => ({ pwd: b64(PASSWORD), otp: code(enrolled.secret) }),
      auth: () => ({ authentication: enrolled.token }),
      creates: false,
      password: current,
    },
    {
      path: '/api/auth/2fa/backup-codes',
      fields: ['pwd', 'otp'],
      valid: () => ({ pwd: b64(PASSWORD), otp: code(enrolled.secret) }),
      auth: () => ({ authentication: enrolled.token }),
      creates: false,
      password: current,
    },
  ];

  for (const endpoint of ENDPOINTS)
    describeRefusals(endpoint, { url: () => running.url, db, baseline: () => baseline });

  describe('the otp field', () => {
    it('is refused with 400 when it is not a string of 1 to 64 characters, on every call that takes it', async () => {
      const calls: [string, Record<string, string>, Record<string, string>][] = [
        ['/auth', { login: enrolled.login, password: PASSWORD }, {}],
        ['/api/auth/login', { handle: enrolled.login, pwd: b64(PASSWORD) }, {}],
        ['/api/auth/sessions/revoke-others', { pwd: b64(PASSWORD) }, { authentication: enrolled.token }],
        [
          '/api/auth/password',
          { pwd: b64(PASSWORD), newPwd: b64('brand-new-password') },
          { authentication: enrolled.token },
        ],
        ['/api/auth/delete', { pwd: b64(PASSWORD) }, { authentication: enrolled.token }],
        ['/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, { authentication: pending.token }],
      ];
      const wrong: unknown[] = [123456, 0, null, true, [], ['123456'], {}, { code: '123456' }, '', 'x'.repeat(65)];
      for (const [path, body, headers] of calls) {
        for (const otp of wrong) {
          const sent = json({ ...body, otp });
          const reply = await send(running.url, path, { body: sent, headers: { ...JSON_TYPE, ...headers } });
          assertErrorShape(reply, path, 400, `${path} with otp ${JSON.stringify(otp).slice(0, 20)}`, sent);
        }
      }
      assert.deepEqual(await snapshot(db()), baseline);
    });
  });
});
