import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { hashToken } from '../src/tokens/token-secret';
import { NotesModule } from '../examples/notes/notes.module';
import { appPerSuite } from './support/app';
import { runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, request } from './support/http';
import { assertRedisReachable, dropPrefix, REDIS_SKIP, TEST_REDIS_URL, testPrefix } from './support/redis';
import { openSocket, refusal, whoami, dropped } from './support/sockets';
import { enrol, totp } from './support/two-factor';

const PASSWORD = 'secret-password';
const ACCESS = /^gh_at_[A-Za-z0-9_-]{43}$/;
const auth = (token: string) => ({ Authentication: token });

/** CONTRACT section 21: access tokens for programs, their scopes, and introspection. */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, {}, [NotesModule], { clock });
  const api = client(() => running().url);

  /** An access token of the account of `token`, with the given scopes; returns the token and its id. */
  async function accessToken(
    token: string,
    scopes: string[],
    extra: Record<string, unknown> = {},
  ): Promise<{ token: string; id: string }> {
    const reply = await api.post(
      '/api/auth/tokens',
      { name: 'script', scopes, pwd: b64(PASSWORD), ...extra },
      auth(token),
    );
    assert.equal(reply.status, 200, reply.text);
    return { token: reply.body.token as string, id: reply.body.id as string };
  }

  const introspect = (caller: string, token: string) => api.post('/api/auth/introspect', { token }, auth(caller));

  describe('create, list, revoke', () => {
    it('makes a gh_at_ token stored only as its hash, listed without it, and revoked through tokens/revoke', async () => {
      const owner = await api.account();
      const created = await api.post(
        '/api/auth/tokens',
        { name: 'backup script ✓', scopes: ['account:read', 'socket'], expiresIn: '7d', pwd: b64(PASSWORD) },
        auth(owner.token),
      );
      assert.equal(created.status, 200, created.text);
      assert.deepEqual(Object.keys(created.body).sort(), ['id', 'status', 'token']);
      assert.match(created.body.token, ACCESS);
      const { token, id } = created.body as { token: string; id: string };

      const rows = (await db().sql('SELECT token_hash, kind, name, scopes FROM tokens WHERE public_id = ?', [id])) as {
        token_hash: string;
        kind: string;
        name: string;
        scopes: string;
      }[];
      assert.deepEqual(rows, [
        { token_hash: hashToken(token), kind: 'access', name: 'backup script ✓', scopes: 'account:read socket' },
      ]);
      const dump = JSON.stringify(await db().sql('SELECT * FROM tokens'));
      assert.ok(!dump.includes(token) && !dump.includes(token.slice(6)), 'the token is in the table');

      assert.equal((await api.get('/api/auth/me', auth(token))).body.handle, owner.login);
      const listed = await api.get('/api/auth/tokens', auth(token));
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.body.tokens.length, 1);
      const [view] = listed.body.tokens;
      assert.deepEqual(Object.keys(view).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'scopes']);
      assert.deepEqual([view.id, view.name, view.scopes], [id, 'backup script ✓', ['account:read', 'socket']]);
      const days = (Date.parse(view.expiresAt) - Date.parse(view.createdAt)) / 86_400_000;
      assert.equal(Math.round(days), 7);
      assert.ok(!listed.text.includes(token));

      const sessions = await api.get('/api/auth/sessions', auth(owner.token));
      const asSession = (sessions.body.sessions as { id: string; method: string }[]).find((s) => s.id === id);
      assert.equal(asSession?.method, 'access-token');

      const event = running().events.find((e) => e.event === 'access-token.created' && e.login === owner.login);
      assert.ok(event, 'no access-token.created');
      assert.equal(event.id, id);
      assert.ok(!JSON.stringify(running().events).includes(token));

      // Session-only: an access token cannot revoke access tokens, even itself, through this route.
      assert.equal((await api.post('/api/auth/tokens/revoke', { id }, auth(token))).status, 403);
      const revoked = await api.post('/api/auth/tokens/revoke', { id }, auth(owner.token));
      assert.equal(revoked.status, 200, revoked.text);
      assert.deepEqual(revoked.body, { status: 'ok' });
      assert.equal((await api.get('/api/auth/me', auth(token))).status, 401);
      const revocation = running().events.find((e) => e.event === 'token.revoked' && e.login === owner.login);
      assert.equal(revocation?.cause, 'access-token');
      assert.equal((await api.post('/api/auth/tokens/revoke', { id }, auth(owner.token))).status, 404);
      assert.deepEqual((await api.get('/api/auth/tokens', auth(owner.token))).body.tokens, []);
    });

    it('answers 404 for an id that is not a live access token of the caller, 400 for one that is not a string', async () => {
      const owner = await api.account();
      const other = await api.account();
      const foreign = await accessToken(other.token, ['account:read']);
      const ownSession = (await api.get('/api/auth/sessions', auth(owner.token))).body.sessions[0].id as string;
      for (const id of [foreign.id, ownSession, '', 'x'.repeat(200), 'nope', '../../etc', '\u0000'])
        assert.equal((await api.post('/api/auth/tokens/revoke', { id }, auth(owner.token))).status, 404, id);
      for (const id of [1, null, [], {}, true])
        assert.equal((await api.post('/api/auth/tokens/revoke', { id }, auth(owner.token))).status, 400, String(id));
      assert.equal((await api.get('/api/auth/me', auth(foreign.token))).status, 200, 'nothing revoked');
    });

    it('refuses bad names, scopes and expiresIn with 400, a wrong password with 403, issuing nothing', async () => {
      const owner = await api.account();
      const body = { name: 'ci', scopes: ['account:read'], pwd: b64(PASSWORD) };
      const bad: Record<string, unknown>[] = [
        { scopes: [] },
        { scopes: ['account:write'] },
        { scopes: ['account:read', 'nope'] },
        { scopes: 'account:read' },
        { scopes: [1] },
        { name: '' },
        { name: 'x'.repeat(65) },
        { name: 'tab\there' },
        { name: 'bidi\u202e' },
        { name: 'zero\u200bwidth' },
        { name: '   ' },
        { name: 7 },
        { expiresIn: '0s' },
        { expiresIn: '0.5s' },
        { expiresIn: '366d' },
        { expiresIn: '30 days' },
        { expiresIn: '1y' },
        { expiresIn: ' 30d' },
        { expiresIn: '' },
        { expiresIn: 3600 },
        { expiresIn: null },
        { otp: 5 },
        { extra: 1 },
      ];
      for (const change of bad) {
        const reply = await api.post('/api/auth/tokens', { ...body, ...change }, auth(owner.token));
        assert.equal(reply.status, 400, `${JSON.stringify(change)}: ${reply.text}`);
        assert.equal(reply.body.status, 'error');
      }
      const wrong = await api.post('/api/auth/tokens', { ...body, pwd: b64('wrong-password') }, auth(owner.token));
      assert.equal(wrong.status, 403);
      assert.equal(wrong.body.scope, undefined);
      // Limits: exactly 1s and exactly 365d (ACCESS_TOKEN_MAX_TTL) are accepted; 64 characters too.
      for (const change of [
        { expiresIn: '1s' },
        { expiresIn: '365d' },
        { expiresIn: '60' },
        { name: 'é'.repeat(64) },
        { name: '👩‍👩‍👧 deploy' },
      ])
        assert.equal((await api.post('/api/auth/tokens', { ...body, ...change }, auth(owner.token))).status, 200);
      assert.equal((await api.get('/api/auth/tokens', auth(owner.token))).body.tokens.length, 5);
    });

    it('asks for the second factor when the account has one', async () => {
      const owner = await api.account();
      const { secret } = await enrol(api, owner.token, PASSWORD, clock);
      const body = { name: 'ci', scopes: ['account:read'], pwd: b64(PASSWORD) };
      const missing = await api.post('/api/auth/tokens', body, auth(owner.token));
      assert.equal(missing.status, 403);
      assert.equal(missing.body.secondFactor, 'required');
      const ok = await api.post('/api/auth/tokens', { ...body, otp: totp(secret, clock.now()) }, auth(owner.token));
      assert.equal(ok.status, 200, ok.text);
    });
  });

  describe('scopes', () => {
    it("opens Gatehouse's routes by scope and refuses every account change to an access token", async () => {
      const owner = await api.account();
      const reader = await accessToken(owner.token, ['account:read']);
      assert.equal((await api.get('/api/auth/me', auth(reader.token))).status, 200);
      assert.equal((await api.get('/api/auth/tokens', auth(reader.token))).status, 200);
      for (const path of ['/api/auth/sessions', '/api/auth/activity']) {
        const reply = await api.get(path, auth(reader.token));
        assert.equal(reply.status, 403, path);
        assert.deepEqual(
          { status: reply.body.status, error: reply.body.error, scope: reply.body.scope },
          { status: 'error', error: 'Forbidden', scope: 'sessions:read' },
        );
      }
      const sessionsReader = await accessToken(owner.token, ['sessions:read']);
      assert.equal((await api.get('/api/auth/sessions', auth(sessionsReader.token))).status, 200);
      assert.equal((await api.get('/api/auth/activity', auth(sessionsReader.token))).status, 200);
      assert.equal((await api.get('/api/auth/me', auth(sessionsReader.token))).body.scope, 'account:read');

      const everything = await accessToken(owner.token, ['account:read', 'sessions:read', 'introspect', 'socket']);
      const changes: [string, unknown][] = [
        ['/api/auth/password', { pwd: b64(PASSWORD), newPwd: b64('another-password') }],
        ['/api/auth/sessions/revoke-others', { pwd: b64(PASSWORD) }],
        ['/api/auth/sessions/revoke', { id: reader.id }],
        ['/api/auth/delete', { pwd: b64(PASSWORD) }],
        ['/api/auth/2fa/setup', { pwd: b64(PASSWORD) }],
        ['/api/auth/tokens', { name: 'more', scopes: ['account:read'], pwd: b64(PASSWORD) }],
        ['/api/auth/tokens/revoke', { id: reader.id }],
        ['/api/auth/invalidate', { token: reader.token }],
      ];
      for (const [path, body] of changes) {
        const reply = await api.post(path, body, auth(everything.token));
        assert.equal(reply.status, 403, `${path}: ${reply.text}`);
        assert.equal(reply.body.status, 'error');
        assert.equal('scope' in reply.body, false, path);
      }
      // Nothing changed: the password, the account and every token are as they were.
      assert.equal((await api.get('/api/auth/me', auth(reader.token))).status, 200);
      assert.equal((await api.post('/auth', { login: owner.login, password: PASSWORD })).status, 200);

      // An access token may invalidate itself, and then it is gone.
      const self = await api.post('/api/auth/invalidate', { token: everything.token }, auth(everything.token));
      assert.equal(self.status, 200, self.text);
      assert.equal((await api.get('/api/auth/me', auth(everything.token))).status, 401);
      // A sign-in token still invalidates an access token of its account.
      assert.equal((await api.post('/api/auth/invalidate', { token: reader.token }, auth(owner.token))).status, 200);
      assert.equal((await api.get('/api/auth/me', auth(reader.token))).status, 401);
    });

    it("checks an extension module's scopes on routes and socket events", async () => {
      const owner = await api.account();
      const reader = await accessToken(owner.token, ['notes:read', 'socket']);
      const writer = await accessToken(owner.token, ['notes:write', 'socket']);
      assert.equal((await api.get('/api/notes', auth(reader.token))).status, 200);
      const refused = await api.post('/api/notes', { text: 'from a script' }, auth(reader.token));
      assert.equal(refused.status, 403);
      assert.equal(refused.body.scope, 'notes:write');
      assert.equal((await api.post('/api/notes', { text: 'from a script' }, auth(writer.token))).status, 201);
      assert.equal((await api.get('/api/notes', auth(writer.token))).body.scope, 'notes:read');
      // A route of the module that declares no scope takes sign-in tokens only.
      assert.equal((await api.get('/api/notes/about', auth(writer.token))).status, 200, 'level not needed');

      const readerSocket = await openSocket(running().url, reader.token);
      try {
        assert.equal((await whoami(readerSocket)).handle, owner.login);
        const ack = (await readerSocket.timeout(5000).emitWithAck('notes:add', { text: 'socket' })) as Record<
          string,
          unknown
        >;
        assert.deepEqual(
          { status: ack.status, error: ack.error, scope: ack.scope },
          {
            status: 'error',
            error: 'Forbidden',
            scope: 'notes:write',
          },
        );
      } finally {
        readerSocket.close();
      }
      const writerSocket = await openSocket(running().url, writer.token);
      try {
        const ack = (await writerSocket.timeout(5000).emitWithAck('notes:add', { text: 'socket' })) as {
          status: string;
        };
        assert.equal(ack.status, 'ok');
      } finally {
        writerSocket.close();
      }
      const rows = (await db().sql("SELECT COUNT(*) AS n FROM notes WHERE text = 'socket'")) as {
        n: number | string;
      }[];
      assert.equal(Number(rows[0].n), 1);
    });

    it('refuses a socket to an access token without the socket scope (Forbidden), and drops it on revocation', async () => {
      const owner = await api.account();
      const noSocket = await accessToken(owner.token, ['account:read']);
      assert.equal(await refusal(running().url, { auth: { token: noSocket.token } }), 'Forbidden');
      const withSocket = await accessToken(owner.token, ['socket']);
      const socket = await openSocket(running().url, withSocket.token);
      const gone = dropped(socket, 2000);
      assert.equal((await api.post('/api/auth/tokens/revoke', { id: withSocket.id }, auth(owner.token))).status, 200);
      assert.deepEqual((await gone).revoked, { reason: 'revoked' });
    });
  });

  describe('revoked with every other token', () => {
    /** An account with a sign-in token and two access tokens. */
    async function withAccessTokens() {
      const owner = await api.account();
      const a = await accessToken(owner.token, ['account:read']);
      const b = await accessToken(owner.token, ['socket']);
      return { ...owner, access: [a.token, b.token] };
    }
    const gone = async (tokens: string[]) => {
      for (const token of tokens) assert.equal((await api.get('/api/auth/me', auth(token))).status, 401);
    };

    it('by a password change, revoke-others, enabling two-factor and deletion (counted in `revoked`)', async () => {
      let owner = await withAccessTokens();
      const changed = await api.post(
        '/api/auth/password',
        { pwd: b64(PASSWORD), newPwd: b64('another-password') },
        auth(owner.token),
      );
      assert.equal(changed.body.revoked, 2, changed.text);
      await gone(owner.access);

      owner = await withAccessTokens();
      const others = await api.post('/api/auth/sessions/revoke-others', { pwd: b64(PASSWORD) }, auth(owner.token));
      assert.equal(others.body.revoked, 2, others.text);
      await gone(owner.access);

      owner = await withAccessTokens();
      assert.equal((await enrol(api, owner.token, PASSWORD, clock)).revoked, 2);
      await gone(owner.access);

      owner = await withAccessTokens();
      assert.equal((await api.post('/api/auth/delete', { pwd: b64(PASSWORD) }, auth(owner.token))).status, 200);
      await gone(owner.access);
    });

    it("by the owner's revoke-tokens and lock, and by a recovery", async () => {
      const env = { DATABASE_URL: db().url, BCRYPT_COST: '4' };
      let owner = await withAccessTokens();
      assert.equal((await runCli(['revoke-tokens', owner.login], env)).code, 0);
      await gone(owner.access);

      owner = await withAccessTokens();
      assert.equal((await runCli(['lock', owner.login], env)).code, 0);
      await gone(owner.access);

      owner = await withAccessTokens();
      const issued = await runCli(['recovery-code', owner.login], env);
      const code = /recovery code of \S+: (\S+)/.exec(issued.stdout)?.[1];
      assert.ok(code, issued.stdout + issued.stderr);
      const recovered = await api.post('/api/auth/recover', {
        handle: owner.login,
        code,
        newPwd: b64('recovered-password'),
      });
      assert.equal(recovered.status, 200, recovered.text);
      await gone(owner.access);
    });
  });

  describe('introspection', () => {
    it('describes a session token and an access token (RFC 7662), from JSON and form bodies', async () => {
      const owner = await api.account();
      const service = await accessToken(owner.token, ['introspect']);
      const script = await accessToken(owner.token, ['account:read', 'sessions:read'], { expiresIn: '1h' });
      const [{ id: accountId }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [owner.login])) as {
        id: number | string;
      }[];

      const session = await introspect(service.token, owner.token);
      assert.equal(session.status, 200, session.text);
      assert.deepEqual(Object.keys(session.body).sort(), [
        'active',
        'exp',
        'iat',
        'scope',
        'sub',
        'token_type',
        'username',
      ]);
      assert.equal(session.body.active, true);
      assert.equal(session.body.sub, String(accountId));
      assert.equal(session.body.username, owner.login);
      assert.equal(session.body.token_type, 'session');
      assert.ok(Number.isInteger(session.body.exp) && Number.isInteger(session.body.iat));
      assert.ok(Math.abs(session.body.iat - clock.now() / 1000) < 60);
      for (const scope of ['account:read', 'sessions:read', 'introspect', 'socket', 'notes:read', 'notes:write'])
        assert.ok(session.body.scope.split(' ').includes(scope), scope);

      const form = await request(running().url, 'POST', '/api/auth/introspect', {
        raw: `token=${encodeURIComponent(script.token)}&token_type_hint=access_token`,
        headers: { ...auth(`Bearer ${service.token}`), 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 200, form.text);
      assert.equal(form.body.token_type, 'access_token');
      assert.equal(form.body.scope, 'account:read sessions:read');
      assert.equal(form.body.exp - form.body.iat, 3600);
      assert.equal(form.body.status, undefined);
      const json = await api.post(
        '/api/auth/introspect',
        { token: script.token, token_type_hint: 'refresh_token' },
        auth(service.token),
      );
      assert.deepEqual(json.body, form.body);
      // A byte-order mark and whitespace around the JSON, and a UTF-8 charset, are accepted as anywhere.
      const spaced = await request(running().url, 'POST', '/api/auth/introspect', {
        raw: `\ufeff \n${JSON.stringify({ token: script.token })}\n`,
        headers: { ...auth(service.token), 'content-type': 'application/json; charset=UTF-8' },
      });
      assert.deepEqual(spaced.body, form.body);
      // A sign-in token has every scope, introspect included; another account's token is described too.
      const other = await api.account();
      const foreign = await introspect(owner.token, other.token);
      assert.equal(foreign.body.username, other.login);
    });

    it('answers {"active":false} for unknown, garbage, expired and revoked tokens', async () => {
      const owner = await api.account();
      const short = await accessToken(owner.token, ['account:read'], { expiresIn: '60s' });
      const revoked = await accessToken(owner.token, ['account:read']);
      assert.equal((await api.post('/api/auth/tokens/revoke', { id: revoked.id }, auth(owner.token))).status, 200);
      const signedOut = (await api.account()).token;
      await api.post('/api/auth/invalidate', { token: signedOut }, auth(signedOut));
      for (const token of [
        'gh_at_' + 'A'.repeat(43),
        'A'.repeat(43),
        'garbage',
        '',
        'x'.repeat(5000),
        revoked.token,
        signedOut,
      ]) {
        const reply = await introspect(owner.token, token);
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.body, { active: false }, token.slice(0, 20));
      }
      assert.equal((await introspect(owner.token, short.token)).body.active, true);
      clock.advance(61_000);
      assert.deepEqual((await introspect(owner.token, short.token)).body, { active: false });
    });

    it('is 401 without a valid caller token, 403 without the introspect scope, 400 for a bad body', async () => {
      const owner = await api.account();
      const reader = await accessToken(owner.token, ['account:read']);
      const none = await api.post('/api/auth/introspect', { token: owner.token });
      assert.equal(none.status, 401);
      assert.equal(none.body.status, 'error');
      assert.equal((await introspect('garbage', owner.token)).status, 401);
      const forbidden = await introspect(reader.token, owner.token);
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.scope, 'introspect');
      for (const body of [
        {},
        { token: 5 },
        { token: null },
        { token: 'x', extra: 1 },
        { token: 'x', token_type_hint: 1 },
      ])
        assert.equal(
          (await api.post('/api/auth/introspect', body, auth(owner.token))).status,
          400,
          JSON.stringify(body),
        );
      const repeated = await request(running().url, 'POST', '/api/auth/introspect', {
        raw: 'token=a&token=b',
        headers: { ...auth(owner.token), 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(repeated.status, 400);
      const text = await request(running().url, 'POST', '/api/auth/introspect', {
        raw: 'token=a',
        headers: { ...auth(owner.token), 'content-type': 'text/plain' },
      });
      assert.equal(text.status, 415);
      // Forms are for introspection only.
      const formLogin = await request(running().url, 'POST', '/api/auth/login', {
        raw: 'handle=a&pwd=b',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(formLogin.status, 415);
    });
  });

  /** Limits that need an app of their own: TOKEN_IDLE_TTL, TOKEN_FAILURES_PER_MINUTE and INTROSPECTION_PER_MINUTE. */
  describe('limits', () => {
    const limitedClock = new OffsetClock();
    const limitedApp = appPerSuite(
      db,
      {
        TOKEN_IDLE_TTL: '2m',
        TOKEN_FAILURES_PER_MINUTE: '5',
        INTROSPECTION_PER_MINUTE: '40',
        ACCESS_TOKEN_MAX_TTL: '2h',
      },
      [],
      { clock: limitedClock },
    );
    const limited = client(() => limitedApp().url);

    it('lets an access token outlive TOKEN_IDLE_TTL, unlike a sign-in token', async () => {
      const owner = await limited.account();
      const created = await limited.post(
        '/api/auth/tokens',
        { name: 'monthly', scopes: ['account:read', 'sessions:read'], pwd: b64(PASSWORD) },
        auth(owner.token),
      );
      assert.equal(created.status, 200, created.text);
      const idle = await limited.account();
      limitedClock.advance(10 * 60_000);
      assert.equal((await limited.get('/api/auth/me', auth(created.body.token))).status, 200);
      assert.equal((await limited.get('/api/auth/me', auth(idle.token))).status, 401);
      assert.equal((await limited.get('/api/auth/me', auth(owner.token))).status, 401, 'the sign-in token went idle');
      const listed = await limited.get('/api/auth/sessions', auth(created.body.token));
      assert.ok((listed.body.sessions as { id: string }[]).some((s) => s.id === created.body.id));
    });

    it('keeps expiresIn within ACCESS_TOKEN_MAX_TTL, and a request without one within it too', async () => {
      const owner = await limited.account();
      const create = (expiresIn?: string) =>
        limited.post(
          '/api/auth/tokens',
          { name: 'ci', scopes: ['account:read'], pwd: b64(PASSWORD), ...(expiresIn ? { expiresIn } : {}) },
          auth(owner.token),
        );
      assert.equal((await create('2h')).status, 200);
      const over = await create('121m');
      assert.equal(over.status, 400);
      assert.match(over.body.message, /ACCESS_TOKEN_MAX_TTL/);
      // Without expiresIn: 30 days, or the server's maximum when that is shorter.
      const unnamed = await create();
      assert.equal(unnamed.status, 200);
      const [row] = (await db().sql('SELECT created_at, expires_at FROM tokens WHERE public_id = ?', [
        unnamed.body.id,
      ])) as { created_at: number | string; expires_at: number | string }[];
      assert.equal(Number(row.expires_at) - Number(row.created_at), 2 * 3_600_000);
    });

    it('does not count the tokens introspected toward TOKEN_FAILURES_PER_MINUTE, and limits each caller', async () => {
      // To the start of a minute: the windows are fixed minutes, and this test must not straddle two.
      limitedClock.advance(60_000 - (limitedClock.now() % 60_000) + 100);
      const owner = await limited.account();
      const from = '127.0.0.42';
      for (let i = 0; i < 12; i++) {
        const reply = await postFrom(
          from,
          limitedApp().url,
          '/api/auth/introspect',
          { token: `garbage${i}` },
          auth(owner.token),
        );
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
        assert.deepEqual(reply.body, { active: false });
      }
      const me = await postFrom(
        from,
        limitedApp().url,
        '/api/auth/introspect',
        { token: owner.token },
        auth(owner.token),
      );
      assert.equal(me.body.active, true);
      // INTROSPECTION_PER_MINUTE=40 per caller token: the rest of the budget, then 429.
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++)
        statuses.push((await limited.post('/api/auth/introspect', { token: 'x' }, auth(owner.token))).status);
      assert.equal(statuses.filter((s) => s === 200).length, 40 - 13);
      const refused = await limited.post('/api/auth/introspect', { token: 'x' }, auth(owner.token));
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      // Another caller has its own budget.
      const other = await limited.account();
      assert.equal((await limited.post('/api/auth/introspect', { token: 'x' }, auth(other.token))).status, 200);
    });
  });

  /** Two instances on one database: a revocation on one is seen by the other's introspection within a second. */
  describe('two instances', () => {
    const a = appPerSuite(db);
    const b = appPerSuite(db);
    const apiA = client(() => a().url);
    const apiB = client(() => b().url);

    it('reports a token revoked on another instance inactive within one second (no Redis)', async () => {
      const owner = await apiA.account();
      const script = await apiA.post(
        '/api/auth/tokens',
        { name: 'ci', scopes: ['account:read'], pwd: b64(PASSWORD) },
        auth(owner.token),
      );
      // A has the token in its cache.
      assert.equal(
        (await apiA.post('/api/auth/introspect', { token: script.body.token }, auth(owner.token))).body.active,
        true,
      );
      assert.equal((await apiB.post('/api/auth/tokens/revoke', { id: script.body.id }, auth(owner.token))).status, 200);
      await sleep(1000);
      const after = await apiA.post('/api/auth/introspect', { token: script.body.token }, auth(owner.token));
      assert.deepEqual(after.body, { active: false });
      assert.equal((await apiA.get('/api/auth/me', auth(script.body.token))).status, 401);
    });

    describe('with Redis', { skip: REDIS_SKIP }, () => {
      const prefix = testPrefix();
      const env = () => ({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix });
      const c = appPerSuite(db, env);
      const d = appPerSuite(db, env);
      const apiC = client(() => c().url);
      const apiD = client(() => d().url);

      it('reports a token revoked on another instance inactive within 200 ms', async () => {
        await assertRedisReachable();
        try {
          const owner = await apiC.account();
          const script = await apiC.post(
            '/api/auth/tokens',
            { name: 'ci', scopes: ['account:read'], pwd: b64(PASSWORD) },
            auth(owner.token),
          );
          const token = script.body.token as string;
          assert.equal((await apiC.post('/api/auth/introspect', { token }, auth(owner.token))).body.active, true);
          assert.equal(
            (await apiD.post('/api/auth/tokens/revoke', { id: script.body.id }, auth(owner.token))).status,
            200,
          );
          await sleep(200);
          assert.deepEqual((await apiC.post('/api/auth/introspect', { token }, auth(owner.token))).body, {
            active: false,
          });
        } finally {
          await dropPrefix(prefix);
        }
      });
    });
  });
});
