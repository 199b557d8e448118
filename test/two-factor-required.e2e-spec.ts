import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { NotesModule } from '../examples/notes/notes.module';
import { OffsetClock } from '../src/clock/clock';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { closeSockets, openSocket, refusal } from './support/sockets';
import { enrol, STEP_MS, totp } from './support/two-factor';

const SETUP_REQUIRED = 'setup-required';

/**
 * TWO_FACTOR=required (CONTRACT section 18): a token issued without a second factor is accepted
 * only by the routes that let its account comply; every other route of level optional or
 * required, an added module's included, is 403, and its handshakes are refused with Forbidden,
 * until the account enables two-factor. The OpenAPI document lists those 403s (every response
 * is checked against it).
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, { TWO_FACTOR: 'required', TWO_FACTOR_ISSUER: 'Acme Corp' }, [NotesModule], {
    clock,
  });
  const api = client(() => running().url);
  const PASSWORD = 'secret-password';
  const as = (token: string) => ({ Authentication: token });

  afterEach(closeSockets);

  it('lets a restricted token use only the routes that let its account set two-factor up', async () => {
    const user = await api.account(uniqueLogin('Restricted'), PASSWORD);
    const me = await api.get('/api/auth/me', as(user.token));
    assert.equal(me.status, 200);
    assert.equal(me.body.twoFactor, false);
    assert.equal((await api.get('/api/auth/sessions', as(user.token))).status, 200);

    for (const [method, path, body] of [
      ['POST', '/api/auth/sessions/revoke-others', { pwd: b64(PASSWORD) }],
      ['POST', '/api/auth/password', { pwd: b64(PASSWORD), newPwd: b64('another-password') }],
      ['POST', '/api/auth/delete', { pwd: b64(PASSWORD) }],
      ['POST', '/api/auth/sessions/revoke', { id: 'x' }],
      ['POST', '/api/auth/2fa/backup-codes', { pwd: b64(PASSWORD), otp: '123456' }],
      ['POST', '/api/notes', { text: 'hello' }],
      ['GET', '/api/notes', undefined],
    ] as const) {
      const reply = method === 'GET' ? await api.get(path, as(user.token)) : await api.post(path, body, as(user.token));
      assert.equal(reply.status, 403, `${method} ${path}`);
      assert.equal(reply.body.status, 'error', path);
      assert.equal(reply.body.secondFactor, SETUP_REQUIRED, path);
    }
    // Without a token an optional route is served anonymously, as ever; a route of level not needed ignores the token.
    assert.equal((await api.get('/api/notes')).status, 200);
    assert.equal((await api.get('/api/notes/about', as(user.token))).status, 200);
    assert.equal(await refusal(running().url, { auth: { token: user.token } }), 'Forbidden');

    // Setting up and enabling lift the restriction of the caller's token, at once.
    const setup = await api.post('/api/auth/2fa/setup', { pwd: b64(PASSWORD) }, as(user.token));
    assert.equal(setup.status, 200);
    assert.match(setup.body.uri, /^otpauth:\/\/totp\/Acme%20Corp:[^?]+\?secret=[A-Z2-7]+&issuer=Acme%20Corp$/);
    const enabled = await api.post(
      '/api/auth/2fa/enable',
      { code: totp(setup.body.secret, clock.now()) },
      as(user.token),
    );
    assert.equal(enabled.status, 200);
    assert.equal((await api.post('/api/notes', { text: 'hello' }, as(user.token))).status, 201);
    const socket = await openSocket(running().url, user.token);
    assert.ok(socket.connected);

    // Under `required`, two-factor cannot be turned off.
    clock.advance(STEP_MS);
    const off = await api.post(
      '/api/auth/2fa/disable',
      { pwd: b64(PASSWORD), otp: totp(setup.body.secret, clock.now()) },
      as(user.token),
    );
    assert.equal(off.status, 403);
    assert.equal(off.body.secondFactor, undefined);
    assert.equal((await api.get('/api/auth/me', as(user.token))).body.twoFactor, true);
  });

  it('restricts no token from a two-factor sign-in, and lets a restricted one sign out', async () => {
    const user = await api.account(uniqueLogin('Signed'), PASSWORD);
    const { secret } = await enrol(api, user.token, PASSWORD, clock);
    const signedIn = await api.post('/auth', { login: user.login, password: PASSWORD, otp: totp(secret, clock.now()) });
    assert.equal(signedIn.status, 200);
    assert.equal((await api.get('/api/notes', as(signedIn.body.token))).status, 200);
    const socket = await openSocket(running().url, signedIn.body.token);
    assert.ok(socket.connected);

    const other = await api.account(uniqueLogin('Leaving'), PASSWORD);
    const out = await api.post('/api/auth/invalidate', { token: other.token }, as(other.token));
    assert.equal(out.status, 200);
    assert.equal((await api.get('/api/auth/me', as(other.token))).status, 401);
  });

  it("introspects a restricted token as active with no scope, and gives access tokens the caller's second factor", async () => {
    const user = await api.account(uniqueLogin('Service'), PASSWORD);
    const { secret } = await enrol(api, user.token, PASSWORD, clock);
    const restricted = await api.account(uniqueLogin('Restricted'), PASSWORD);
    const reply = await api.post('/api/auth/introspect', { token: restricted.token }, as(user.token));
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.active, true);
    assert.equal(reply.body.scope, '');
    // An access token made by an account with two-factor (step-up with the code) is not restricted.
    const created = await api.post(
      '/api/auth/tokens',
      { name: 'ci', scopes: ['account:read', 'notes:read'], pwd: b64(PASSWORD), otp: totp(secret, clock.now()) },
      as(user.token),
    );
    assert.equal(created.status, 200, created.text);
    assert.equal((await api.get('/api/notes', as(created.body.token))).status, 200);
    const described = await api.post('/api/auth/introspect', { token: created.body.token }, as(user.token));
    assert.equal(described.body.scope, 'account:read notes:read');
  });

  it('documents the 403 of a restricted token on the routes that refuse one', async () => {
    const document = (await api.get('/docs/openapi.json')).body;
    // Every token-taking route documents a 403 for access tokens (section 21); the restriction's
    // `setup-required` is in it only where a restricted token is refused.
    const forbidden = (path: string, method: string) =>
      String(document.paths[path][method].responses['403']?.description ?? '');
    assert.match(forbidden('/api/notes', 'get'), /setup-required/);
    assert.match(forbidden('/api/notes', 'post'), /setup-required/);
    assert.doesNotMatch(forbidden('/api/auth/me', 'get'), /setup-required/);
    assert.doesNotMatch(forbidden('/api/auth/sessions', 'get'), /setup-required/);
    assert.equal(document.paths['/api/notes/about'].get.responses['403'], undefined);
  });
});
