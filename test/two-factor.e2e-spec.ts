import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import type { SecurityEvent } from '../src/events/security-event';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { closeSockets, dropped, openSocket } from './support/sockets';
import { enrol, STEP_MS, totp } from './support/two-factor';

const MAX_FAILURES = 4;
const BASE32 = /^[A-Z2-7]{32,}$/;
const BACKUP_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;

/**
 * CONTRACT section 18 over HTTP: setting two-factor up, turning it on and off, new backup codes,
 * the two-request sign-in in both dialects, codes used once (across a race too), and step-up on
 * every call that asks for the password. Time is the app's OffsetClock, moved a step at a time.
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, { LOGIN_MAX_FAILURES: String(MAX_FAILURES) }, [], { clock });
  const api = client(() => running().url);
  const PASSWORD = 'secret-password';

  afterEach(closeSockets);

  const as = (token: string) => ({ Authentication: token });
  const me = (token: string) => api.get('/api/auth/me', as(token));
  const eventsOf = (login: string): SecurityEvent[] => running().events.filter((e) => e.login === login);
  const code = (secret: string, steps = 0) => totp(secret, clock.now() + steps * STEP_MS);
  /** A fresh step: the previous code is spent. */
  const nextStep = () => clock.advance(STEP_MS);

  async function enrolled() {
    const user = await api.account(uniqueLogin('Tfa'), PASSWORD);
    return { ...user, ...(await enrol(api, user.token, PASSWORD, clock)) };
  }

  it('sets up a secret shown as Base32 and an otpauth URI, and changes nothing until it is enabled', async () => {
    const login = uniqueLogin('Setup/ä');
    const { token } = await api.account(login, PASSWORD);
    const wrong = await api.post('/api/auth/2fa/setup', { pwd: b64('wrong-password') }, as(token));
    assert.deepEqual(wrong.body, { status: 'error', error: 'Forbidden', message: 'the password is wrong' });
    for (const body of [{}, { pwd: 5 }, { pwd: b64(PASSWORD), otp: null }, { pwd: b64(PASSWORD), extra: 1 }]) {
      assert.equal((await api.post('/api/auth/2fa/setup', body, as(token))).status, 400, JSON.stringify(body));
    }
    const first = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(token));
    assert.equal(first.status, 200);
    assert.deepEqual(Object.keys(first.body), ['status', 'secret', 'uri']);
    assert.match(first.body.secret, BASE32);
    assert.equal(
      first.body.uri,
      `otpauth://totp/Gatehouse:${encodeURIComponent(login)}?secret=${first.body.secret}&issuer=Gatehouse`,
    );
    assert.equal((await me(token)).body.twoFactor, false);
    assert.equal((await api.post('/auth', { login, password: PASSWORD })).status, 200, 'no code asked yet');

    // A new setup replaces the unconfirmed one: the first secret's code no longer enables.
    const second = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(token));
    assert.notEqual(second.body.secret, first.body.secret);
    const stale = await api.post('/api/auth/2fa/enable', { code: code(first.body.secret) }, as(token));
    assert.equal(stale.status, 403);
    assert.equal(stale.body.secondFactor, 'required');
    assert.equal((await api.post('/api/auth/2fa/enable', { code: code(second.body.secret) }, as(token))).status, 200);

    // An unconfirmed setup lasts ten minutes.
    const other = await api.account(uniqueLogin('Late'), PASSWORD);
    const late = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(other.token));
    clock.advance(10 * 60_000 + 1000);
    const expired = await api.post('/api/auth/2fa/enable', { code: code(late.body.secret) }, as(other.token));
    assert.equal(expired.status, 409);
    assert.equal(expired.body.secondFactor, undefined);
  });

  it('enables with a current code: ten backup codes, every other token revoked and its sockets dropped', async () => {
    const user = await api.account(uniqueLogin('Enable'), PASSWORD);
    assert.equal((await api.post('/api/auth/2fa/enable', { code: '123456' }, as(user.token))).status, 409);
    const others = [];
    for (let i = 0; i < 2; i++)
      others.push((await api.post('/auth', { login: user.login, password: PASSWORD })).body.token);
    const socket = await openSocket(running().url, others[0]);
    const gone = dropped(socket, 5000);
    const mine = await openSocket(running().url, user.token);

    const setup = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(user.token));
    const wrong = await api.post(
      '/api/auth/2fa/enable',
      { code: String((Number(code(setup.body.secret)) + 1) % 1e6).padStart(6, '0') },
      as(user.token),
    );
    assert.deepEqual(
      { ...wrong.body, message: undefined },
      { status: 'error', error: 'Forbidden', message: undefined, secondFactor: 'required' },
    );
    const enabled = await api.post('/api/auth/2fa/enable', { code: code(setup.body.secret) }, as(user.token));
    assert.equal(enabled.status, 200);
    assert.deepEqual(Object.keys(enabled.body), ['status', 'backupCodes', 'revoked']);
    assert.equal(enabled.body.revoked, 2);
    assert.equal(enabled.body.backupCodes.length, 10);
    for (const backup of enabled.body.backupCodes) assert.match(backup, BACKUP_CODE);
    assert.equal(new Set(enabled.body.backupCodes).size, 10);
    assert.deepEqual((await gone).revoked, { reason: 'revoked' });
    assert.ok(mine.connected, "the caller's socket stays");
    for (const token of others) assert.equal((await me(token)).status, 401);
    assert.deepEqual((await me(user.token)).body.twoFactor, true);

    assert.equal(
      (await api.post('/api/auth/2fa/enable', { code: code(setup.body.secret, 1) }, as(user.token))).status,
      409,
    );
    assert.equal((await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(user.token))).status, 409);
    assert.deepEqual(
      eventsOf(user.login)
        .filter((e) => !e.event.startsWith('sign-in.succeeded') && e.event !== 'account.registered')
        .map((e) => [e.event, e.stage ?? e.cause ?? null, e.count ?? null]),
      [
        ['sign-in.failed', 'second-factor', null],
        ['two-factor.enabled', null, null],
        ['token.revoked', 'two-factor', 2],
      ],
    );
  });

  it('asks for a code in both dialects after the right password only, and takes each code once', async () => {
    const user = await enrolled();
    const { login } = user;
    const before = eventsOf(login).length;

    const classic = await api.post('/auth', { login, password: PASSWORD });
    assert.equal(classic.status, 401);
    assert.deepEqual(classic.body, {
      error: 'Unauthorized',
      message: 'a second-factor code is required',
      secondFactor: 'required',
    });
    const birdhouse = await api.post('/api/auth/login', { handle: login, pwd: b64(PASSWORD) });
    assert.equal(birdhouse.status, 401);
    assert.deepEqual(
      { ...birdhouse.body, message: undefined },
      {
        status: 'error',
        error: 'Unauthorized',
        message: undefined,
        secondFactor: 'required',
      },
    );
    assert.equal(eventsOf(login).length, before, 'a missing code is the first step: no event, not counted');

    // A wrong password answers exactly as for any account, code or no code.
    for (const otp of [undefined, code(user.secret)]) {
      const wrong = await api.post('/auth', { login, password: 'wrong-password', ...(otp ? { otp } : {}) });
      assert.deepEqual(wrong.body, { error: 'Unauthorized', message: 'wrong login or password' });
    }

    const otp = code(user.secret);
    const signedIn = await api.post('/api/auth/login', { handle: login, pwd: b64(PASSWORD), otp });
    assert.equal(signedIn.status, 200);
    const replayed = await api.post('/auth', { login, password: PASSWORD, otp });
    assert.equal(replayed.status, 401);
    assert.equal(replayed.body.secondFactor, 'required');
    nextStep();
    const classicToken = (await api.post('/auth', { login, password: PASSWORD, otp: code(user.secret) })).body.token;
    assert.equal((await me(classicToken)).status, 200);

    const [backup] = user.backupCodes;
    const typed = ` ${backup.toUpperCase().replace('-', ' - ')} `;
    const byBackup = await api.post('/api/auth/login', { handle: login, pwd: b64(PASSWORD), otp: typed });
    assert.equal(byBackup.status, 200);
    const again = await api.post('/api/auth/login', { handle: login, pwd: b64(PASSWORD), otp: backup });
    assert.equal(again.status, 401);
    assert.equal(again.body.secondFactor, 'required');

    const sessions = (await api.get('/api/auth/sessions', as(byBackup.body.token))).body.sessions;
    assert.deepEqual(
      sessions.map((s: { method: string }) => s.method),
      ['password+backup-code', 'password+totp', 'password+totp', 'password'],
    );
    assert.deepEqual(
      eventsOf(login)
        .slice(before)
        .map((e) => [e.event, e.stage ?? e.method ?? null]),
      [
        ['sign-in.failed', 'password'],
        ['sign-in.failed', 'password'],
        ['sign-in.succeeded', 'password+totp'],
        ['sign-in.failed', 'second-factor'],
        ['sign-in.succeeded', 'password+totp'],
        ['backup-code.used', null],
        ['sign-in.succeeded', 'password+backup-code'],
        ['sign-in.failed', 'second-factor'],
      ],
    );
  });

  it('lets exactly one of two parallel sign-ins with one code through', async () => {
    const user = await enrolled();
    const otp = code(user.secret);
    const [classic, birdhouse] = await Promise.all([
      api.post('/auth', { login: user.login, password: PASSWORD, otp }),
      api.post('/api/auth/login', { handle: user.login, pwd: b64(PASSWORD), otp }),
    ]);
    assert.deepEqual([classic.status, birdhouse.status].sort(), [200, 401]);
    const backup = user.backupCodes[0];
    const twice = await Promise.all(
      [0, 1].map(() => api.post('/api/auth/login', { handle: user.login, pwd: b64(PASSWORD), otp: backup })),
    );
    assert.deepEqual(twice.map((r) => r.status).sort(), [200, 401]);
  });

  it('counts a wrong code toward the lockout, which then refuses even the right code', async () => {
    const user = await enrolled();
    for (let i = 0; i < MAX_FAILURES; i++) {
      const reply = await api.post('/auth', { login: user.login, password: PASSWORD, otp: '000000' });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.secondFactor, 'required');
    }
    const locked = await api.post('/api/auth/login', {
      handle: user.login,
      pwd: b64(PASSWORD),
      otp: code(user.secret),
    });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    clock.advance(15 * 60_000);
    assert.equal(
      (await api.post('/auth', { login: user.login, password: PASSWORD, otp: code(user.secret) })).status,
      200,
    );
  });

  it('asks for the code again on every call that asks for the password, and counts a missing one', async () => {
    const user = await enrolled();
    const token = user.token;
    const calls: [string, Record<string, string>][] = [
      ['/api/auth/sessions/revoke-others', { pwd: b64(PASSWORD) }],
      // The same password again: the calls after it still give PASSWORD.
      ['/api/auth/password', { pwd: b64(PASSWORD), newPwd: b64(PASSWORD) }],
      ['/api/auth/2fa/backup-codes', { pwd: b64(PASSWORD) }],
      ['/api/auth/2fa/disable', { pwd: b64(PASSWORD) }],
    ];
    for (const [path, body] of calls) {
      const required = path.startsWith('/api/auth/2fa/');
      const missing = await api.post(path, body, as(token));
      if (required) {
        assert.equal(missing.status, 400, `${path}: otp is required there`);
      } else {
        assert.equal(missing.status, 403, path);
        assert.equal(missing.body.secondFactor, 'required', path);
      }
      const wrongPassword = await api.post(
        path,
        { ...body, pwd: b64('wrong-password'), otp: code(user.secret) },
        as(token),
      );
      assert.equal(wrongPassword.status, 403, path);
      assert.equal(wrongPassword.body.secondFactor, undefined, `${path}: a wrong password says nothing of the code`);
      const wrong = await api.post(path, { ...body, otp: 'aaaaa-aaaaa' }, as(token));
      assert.equal(wrong.status, 403, path);
      assert.equal(wrong.body.secondFactor, 'required', path);
      const right = await api.post(path, { ...body, otp: code(user.secret) }, as(token));
      assert.equal(right.status, 200, `${path}: ${right.text}`);
      nextStep();
    }
    // Off now: deleting the account asks for no code.
    assert.equal((await me(token)).body.twoFactor, false);
    assert.equal((await api.post('/api/auth/delete', { pwd: b64(PASSWORD) }, as(token))).status, 200);
    const failures = eventsOf(user.login).filter((e) => e.event === 'sign-in.failed');
    assert.deepEqual(
      failures.map((e) => e.stage),
      [
        ...['second-factor', 'password', 'second-factor'],
        ...['second-factor', 'password', 'second-factor'],
        ...['password', 'second-factor'],
        ...['password', 'second-factor'],
      ],
    );
  });

  it('turns two-factor off (revoking nothing) and gives new backup codes that replace the old', async () => {
    const user = await enrolled();
    const second = (await api.post('/auth', { login: user.login, password: PASSWORD, otp: code(user.secret) })).body
      .token;
    nextStep();
    const renewed = await api.post(
      '/api/auth/2fa/backup-codes',
      { pwd: b64(PASSWORD), otp: code(user.secret) },
      as(user.token),
    );
    assert.equal(renewed.status, 200);
    assert.deepEqual(Object.keys(renewed.body), ['status', 'backupCodes']);
    const old = await api.post('/auth', { login: user.login, password: PASSWORD, otp: user.backupCodes[1] });
    assert.equal(old.status, 401, 'the old codes stop working');
    const fresh = await api.post('/auth', { login: user.login, password: PASSWORD, otp: renewed.body.backupCodes[0] });
    assert.equal(fresh.status, 200);

    const off = await api.post(
      '/api/auth/2fa/disable',
      { pwd: b64(PASSWORD), otp: renewed.body.backupCodes[1] },
      as(user.token),
    );
    assert.deepEqual(off.body, { status: 'ok' });
    for (const token of [user.token, second, fresh.body.token]) assert.equal((await me(token)).body.twoFactor, false);
    assert.equal((await api.post('/auth', { login: user.login, password: PASSWORD })).status, 200);
    const again = await api.post('/api/auth/2fa/disable', { pwd: b64(PASSWORD), otp: '123456' }, as(user.token));
    assert.equal(again.status, 409);
    assert.equal(
      (await api.post('/api/auth/2fa/backup-codes', { pwd: b64(PASSWORD), otp: '123456' }, as(user.token))).status,
      409,
    );
    assert.deepEqual(
      eventsOf(user.login)
        .map((e) => e.event)
        .filter((e) => e.startsWith('two-factor.') || e.startsWith('backup-code')),
      ['two-factor.enabled', 'backup-codes.regenerated', 'backup-code.used', 'backup-code.used', 'two-factor.disabled'],
    );
  });

  it('keeps no secret, code or backup code in plain text, in the database or the events', async () => {
    const user = await enrolled();
    const dump = await db().dump();
    const text = JSON.stringify(running().events);
    for (const secret of [user.secret, ...user.backupCodes, ...user.backupCodes.map((c) => c.replace('-', ''))]) {
      assert.ok(!dump.includes(secret), 'the database holds a secret');
      assert.ok(!text.includes(secret), 'an event holds a secret');
    }
    const [row] = (await db().sql(
      'SELECT t.secret FROM two_factor t JOIN accounts a ON a.id = t.account_id WHERE a.login = ?',
      [user.login],
    )) as { secret: string }[];
    assert.match(row.secret, /^v1\.[A-Za-z0-9+/]+=*$/);
  });
});
