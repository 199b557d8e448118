import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  connectSocket,
  createGatehouseClient,
  base64urlToBuffer,
  bufferToBase64url,
  encodePassword,
  handshake,
  memoryTokenStore,
  missingScope,
  routes,
  type SecurityPayload,
  whoami,
} from '@gatehouse/client';
import { build } from 'esbuild';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors, staticSite } from './support/browser';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';
import { totp } from './support/two-factor';

/**
 * The client library (client/, CONTRACT section 22) against the running service: a function per
 * documented route, the sign-in and token rules, the typed socket, and its two examples (the Node
 * service and the frontend) as a user runs them. The package is used as built (`@gatehouse/client`).
 */

const ROOT = join(__dirname, '..', '..');
/** A Redis nothing answers at: sign-in and password checks answer 503 (CONTRACT section 14). */
const NO_REDIS = 'redis://127.0.0.1:1';

/** Runs the Node example to its end; `whileListening` runs once it says it listens. */
function runNodeExample(
  env: Record<string, string>,
  whileListening: () => Promise<void>,
): Promise<{ code: number | null; lines: Record<string, unknown>[] }> {
  const child = spawn(process.execPath, [join(ROOT, 'build', 'client', 'examples', 'node-service.js')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  let acted: Promise<void> | undefined;
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let at = buffered.indexOf('\n'); at !== -1; at = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, at)) as Record<string, unknown>;
      buffered = buffered.slice(at + 1);
      lines.push(line);
      if (line.step === 'listening') acted = whileListening();
    }
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      (acted ?? Promise.resolve()).then(() => resolve({ code, lines }), reject);
    }),
  );
}

/** The frontend example's page, with the markup its comment gives, telling it the server's URL. */
const examplePage = (server: string): string =>
  `<!doctype html><html data-gatehouse="${server}"><title>Example</title><link rel="icon" href="data:,"><script src="/example.js" defer></script>` +
  '<form id="sign-in"><input id="handle"><input id="password" type="password"><button>Sign in</button></form>' +
  '<p id="status"></p><ul id="sessions"></ul></html>';

describe('the client library', () => {
  /** The other origin's files; the page itself is written once the app (and so its URL) exists. */
  const pageFiles: Record<string, { type: string; body: string }> = {};
  let site: Awaited<ReturnType<typeof staticSite>>;
  before(async () => {
    // The frontend example, bundled as its README says, on a page of another origin.
    const bundle = await build({
      entryPoints: [join(ROOT, 'client', 'examples', 'browser.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      logLevel: 'silent',
    });
    pageFiles['/example.js'] = { type: 'text/javascript', body: bundle.outputFiles[0].text };
    site = await staticSite('127.0.0.2', pageFiles);
  });
  after(async () => {
    await site?.close();
  });

  eachEngine(__filename, (db) => {
    const running = appPerSuite(db, () => ({ CORS_ORIGINS: site.origin }));
    const noRedis = appPerSuite(db, { REDIS_URL: NO_REDIS, REDIS_PREFIX: 'client-library' });
    const api = client(() => running().url);
    const browser = browserPerSuite();
    before(() => {
      pageFiles['/'] = { type: 'text/html', body: examplePage(running().url) };
    });

    it('has a function for every documented route, each calling its route', async () => {
      const called = new Set<string>();
      const recording: typeof fetch = (input, init) => {
        const request = input instanceof Request ? input : new Request(input, init);
        called.add(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      };
      const gatehouse = createGatehouseClient({ baseUrl: running().url, fetch: recording, token: 'not-a-token' });
      const password = { pwd: encodePassword('x') };
      await gatehouse.health();
      await gatehouse.classic.register({ login: '', password: '' });
      await gatehouse.classic.signIn({ login: '', password: '' });
      await gatehouse.register({ handle: '', pwd: '' });
      await gatehouse.login({ handle: '', pwd: '' });
      await gatehouse.recover({ handle: '', code: '', newPwd: '' });
      await gatehouse.me();
      await gatehouse.invalidate('not-a-token');
      await gatehouse.passkeys.loginOptions();
      await gatehouse.passkeys.login({
        id: '',
        rawId: '',
        type: 'public-key',
        response: { clientDataJSON: '', authenticatorData: '', signature: '' },
        clientExtensionResults: {},
      });
      for (const call of [
        () => gatehouse.sessions(),
        () => gatehouse.revokeSession('x'),
        () => gatehouse.revokeOtherSessions(password),
        () => gatehouse.changePassword({ ...password, newPwd: '' }),
        () => gatehouse.deleteAccount(password),
        () => gatehouse.activity(),
        () => gatehouse.twoFactor.setup(password),
        () => gatehouse.twoFactor.enable({ code: '' }),
        () => gatehouse.twoFactor.backupCodes({ ...password, otp: '' }),
        () => gatehouse.twoFactor.disable({ ...password, otp: '' }),
        () => gatehouse.passkeys.options(password),
        () =>
          gatehouse.passkeys.add({
            id: '',
            rawId: '',
            type: 'public-key',
            response: { clientDataJSON: '', attestationObject: '' },
            clientExtensionResults: {},
          }),
        () => gatehouse.passkeys.list(),
        () => gatehouse.passkeys.remove({ id: 'x', ...password }),
        () => gatehouse.accessTokens.create({ name: 'x', scopes: ['socket'], ...password }),
        () => gatehouse.accessTokens.list(),
        () => gatehouse.accessTokens.revoke('x'),
        () => gatehouse.introspect('x'),
      ]) {
        gatehouse.tokens.set('not-a-token');
        await call();
      }
      const documented = Object.entries(routes).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      assert.deepEqual([...called].sort(), documented.sort());
    });

    it('signs in, and asks for a code when the account has two-factor on', async () => {
      const { login, password, token } = await api.account(uniqueLogin('Client'));
      const gatehouse = createGatehouseClient({ baseUrl: running().url });
      const refused = await gatehouse.signIn({ handle: login, password: 'wrong-password' });
      assert.deepEqual(refused.kind === 'refused' && [refused.status, refused.error?.error, gatehouse.tokens.get()], [
        401,
        'Unauthorized',
        null,
      ]);
      const signedIn = await gatehouse.signIn({ handle: login, password });
      assert.equal(signedIn.kind, 'signedIn');
      assert.equal(gatehouse.tokens.get(), signedIn.kind === 'signedIn' ? signedIn.token : null);
      assert.equal((await gatehouse.me()).data?.handle, login);

      const setup = await gatehouse.twoFactor.setup({ pwd: encodePassword(password) });
      const enabled = await gatehouse.twoFactor.enable({ code: totp(setup.data!.secret, Date.now()) });
      assert.equal(enabled.data?.status, 'ok', JSON.stringify(enabled.error));
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 401, 'other tokens revoked');

      const other = createGatehouseClient({ baseUrl: running().url });
      const asked = await other.signIn({ handle: login, password });
      assert.equal(asked.kind, 'secondFactor');
      if (asked.kind !== 'secondFactor') return;
      assert.equal(asked.codeRejected, false);
      const wrong = await asked.withCode('000000000');
      assert.deepEqual([wrong.kind, wrong.kind === 'secondFactor' && wrong.codeRejected], ['secondFactor', true]);
      const withCode = await asked.withCode(enabled.data!.backupCodes[0]);
      assert.equal(withCode.kind, 'signedIn');
      assert.equal((await other.me()).data?.twoFactor, true);
    });

    it('drops its token on a 401 of a call that carried it, and only then', async () => {
      const { login, password, token } = await api.account(uniqueLogin('Client'));
      let signedOut = 0;
      const tokens = memoryTokenStore(token);
      const gatehouse = createGatehouseClient({ baseUrl: running().url, tokens, onSignedOut: () => signedOut++ });
      assert.equal((await gatehouse.me()).response.status, 200);
      // A wrong password at sign-in is a 401 too, about the credentials: the token is not sent, and stays.
      assert.equal((await gatehouse.login({ handle: login, pwd: encodePassword('wrong') })).response.status, 401);
      assert.deepEqual([tokens.get(), signedOut], [token, 0]);
      // A wrong password on a call that reads the token is a 403: the token stays.
      assert.equal((await gatehouse.revokeOtherSessions({ pwd: encodePassword('wrong') })).response.status, 403);
      assert.deepEqual([tokens.get(), signedOut], [token, 0]);
      await api.post('/api/auth/invalidate', { token }, { Authentication: token });
      const me = await gatehouse.me();
      assert.deepEqual([me.response.status, me.error?.error], [401, 'Unauthorized']);
      assert.deepEqual([tokens.get(), signedOut], [null, 1]);
      // Without a token, nothing is sent and nothing is dropped.
      assert.equal((await gatehouse.me()).response.status, 401);
      assert.equal(signedOut, 1);
      // invalidate() revokes the client's own token and forgets it.
      assert.equal((await gatehouse.signIn({ handle: login, password })).kind, 'signedIn');
      const own = tokens.get();
      assert.equal((await gatehouse.invalidate()).data?.status, 'ok');
      assert.equal(tokens.get(), null);
      assert.equal((await api.get('/api/auth/me', { Authentication: own! })).status, 401);
    });

    it('creates, lists and revokes access tokens, introspects (JSON and form), and keeps a token that lacks a scope', async () => {
      const { login, password } = await api.account(uniqueLogin('Client'));
      const owner = createGatehouseClient({ baseUrl: running().url });
      assert.equal((await owner.signIn({ handle: login, password })).kind, 'signedIn');
      const created = await owner.accessTokens.create({
        name: 'reporting',
        scopes: ['introspect'],
        expiresIn: '1h',
        pwd: encodePassword(password),
      });
      assert.match(created.data?.token ?? '', /^gh_at_/, JSON.stringify(created.error));
      const listed = await owner.accessTokens.list();
      assert.deepEqual(
        listed.data?.tokens.map(({ id, name, scopes }) => ({ id, name, scopes })),
        [{ id: created.data!.id, name: 'reporting', scopes: ['introspect'] }],
      );

      let signedOut = 0;
      const service = createGatehouseClient({
        baseUrl: running().url,
        token: created.data!.token,
        onSignedOut: () => signedOut++,
      });
      const json = await service.introspect(owner.tokens.get()!);
      assert.deepEqual(
        { ...json.data, exp: typeof json.data?.exp, iat: typeof json.data?.iat, sub: typeof json.data?.sub },
        {
          active: true,
          sub: 'string',
          username: login,
          scope: 'account:read sessions:read introspect socket',
          exp: 'number',
          iat: 'number',
          token_type: 'session',
        },
      );
      const form = await service.introspect(created.data!.token, { form: true, tokenTypeHint: 'access_token' });
      assert.deepEqual(
        [form.data?.active, form.data?.token_type, form.data?.scope],
        [true, 'access_token', 'introspect'],
      );
      assert.deepEqual((await service.introspect('gh_at_unknown')).data, { active: false });

      // A scope it lacks: 403 with `scope`, and the token stays.
      const me = await service.me();
      assert.deepEqual([me.response.status, missingScope(me)], [403, 'account:read']);
      assert.deepEqual([service.tokens.get(), signedOut], [created.data!.token, 0]);
      assert.equal(missingScope(await owner.me()), null);
      // Nor may it open a socket (no `socket` scope): a typed outcome, the token kept.
      const socket = connectSocket(running().url, { token: created.data!.token, reconnection: false });
      assert.deepEqual(await handshake(socket), { kind: 'forbidden' });
      socket.close();
      const mine = connectSocket(running().url, { token: owner.tokens.get()!, reconnection: false });
      assert.deepEqual(await handshake(mine), { kind: 'connected' });
      mine.close();

      assert.equal((await owner.accessTokens.revoke(created.data!.id)).data?.status, 'ok');
      assert.deepEqual((await owner.accessTokens.list()).data?.tokens, []);
      assert.equal((await service.introspect(owner.tokens.get()!)).response.status, 401);
      assert.deepEqual([service.tokens.get(), signedOut], [null, 1]);
      const gone = connectSocket(running().url, { token: created.data!.token, reconnection: false });
      assert.deepEqual(await handshake(gone), { kind: 'unauthorized' });
      gone.close();
    });

    it('converts between base64url and bytes as the WebAuthn JSON forms write them', () => {
      const bytes = Uint8Array.from([0, 251, 255, 62, 63, 1]);
      assert.equal(bufferToBase64url(bytes), 'APv_Pj8B');
      assert.equal(bufferToBase64url(bytes.subarray(1, 3)), '-_8');
      assert.deepEqual(new Uint8Array(base64urlToBuffer('APv_Pj8B')), bytes);
      assert.deepEqual(new Uint8Array(base64urlToBuffer('-_8=')), bytes.subarray(1, 3));
      assert.throws(() => base64urlToBuffer('a+b/'), TypeError);
    });

    it('keeps its token on a 503, and a sign-in answered 503 is "unavailable"', async () => {
      const handle = uniqueLogin('Client');
      const gatehouse = createGatehouseClient({ baseUrl: noRedis().url });
      const registered = await gatehouse.register({ handle, pwd: encodePassword('secret-password') });
      assert.equal(registered.data?.status, 'ok', JSON.stringify(registered.error));
      gatehouse.tokens.set(registered.data!.token);
      const checked = await gatehouse.revokeOtherSessions({ pwd: encodePassword('secret-password') });
      assert.equal(checked.response.status, 503, JSON.stringify(checked.error));
      assert.equal(gatehouse.tokens.get(), registered.data!.token);
      assert.equal((await gatehouse.me()).data?.handle, handle);
      const signIn = await createGatehouseClient({ baseUrl: noRedis().url }).signIn({
        handle,
        password: 'secret-password',
      });
      assert.deepEqual(signIn, {
        kind: 'unavailable',
        status: 503,
        retryAfter: signIn.kind === 'unavailable' ? signIn.retryAfter : null,
      });
    });

    it('opens a typed socket: whoami, security events, and revoked before the disconnect', async () => {
      const { login, password, token } = await api.account(uniqueLogin('Client'));
      const socket = connectSocket(running().url, { token, reconnection: false });
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        assert.deepEqual(await whoami(socket), { status: 'ok', handle: login });
        const security = new Promise<SecurityPayload>((resolve) => socket.once('security', resolve));
        await api.post('/auth', { login, password });
        const event = await security;
        assert.equal(event.event, 'sign-in.succeeded');
        assert.equal(typeof event.at, 'string');
        const revoked = new Promise((resolve) => socket.once('revoked', resolve));
        await api.post('/api/auth/invalidate', { token }, { Authentication: token });
        assert.deepEqual(await revoked, { reason: 'revoked' });
      } finally {
        socket.close();
      }
      const refused = connectSocket(running().url, { token, reconnection: false });
      const message = await new Promise<string>((resolve) => refused.once('connect_error', (e) => resolve(e.message)));
      refused.close();
      assert.equal(message, 'Unauthorized');
    });

    it('runs the Node service example: signs in, lists sessions, and stops on `revoked`', async () => {
      const { login, password, token } = await api.account(uniqueLogin('Service'));
      const { code, lines } = await runNodeExample(
        { GATEHOUSE_URL: running().url, GATEHOUSE_HANDLE: login, GATEHOUSE_PASSWORD: password },
        async () => {
          const ended = await api.post(
            '/api/auth/sessions/revoke-others',
            { pwd: encodePassword(password) },
            {
              Authentication: token,
            },
          );
          assert.equal(ended.status, 200, ended.text);
        },
      );
      const steps = lines.map((line) => line.step).filter((step) => step !== 'security');
      assert.deepEqual(steps, ['sign-in', 'sessions', 'listening', 'revoked'], JSON.stringify(lines));
      assert.equal(lines.find((line) => line.step === 'sessions')?.total, 2);
      assert.equal(lines.find((line) => line.step === 'listening')?.handle, login);
      assert.equal(code, 0);
    });

    it('runs the frontend example on another origin', { skip: BROWSER_SKIP }, async () => {
      const { login, password, token } = await api.account(uniqueLogin('Front'));
      const page = await (await browser.context()).newPage();
      const errors = pageErrors(page);
      await page.goto(`${site.origin}/`);
      await page.locator('#handle').fill(login);
      await page.locator('#password').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#sessions li', { hasText: '(this one)' }).waitFor({ timeout: 5000 });
      assert.equal(await page.locator('#sessions li').count(), 2);
      const ended = await api.post(
        '/api/auth/sessions/revoke-others',
        { pwd: encodePassword(password) },
        {
          Authentication: token,
        },
      );
      assert.equal(ended.status, 200);
      await page.locator('#status', { hasText: 'This session was ended elsewhere.' }).waitFor({ timeout: 5000 });
      assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
      assert.deepEqual(errors, []);
    });
  });
});
