import assert from 'node:assert/strict';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { after, describe, it } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { rawExchange } from './support/fuzz';
import { b64, client, uniqueLogin } from './support/http';
import { closeSockets, openSocket, whoami } from './support/sockets';

/** A GET sent exactly as given (node:http adds no header of its own but Host and Connection). */
function plainGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; length: number }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, headers, agent: false, timeout: 10_000 }, (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, length }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: GET ${path}`)));
    req.on('error', reject);
  });
}

/** Headers every answer carries, the REST API's and the socket.io path's alike. */
function assertProtected(headers: Headers | string, what: string): void {
  const get = (name: string) =>
    typeof headers === 'string' ? (new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1] ?? null) : headers.get(name);
  assert.equal(get('x-content-type-options'), 'nosniff', what);
  assert.equal(get('cache-control'), 'no-store', what);
  assert.match(get('content-security-policy') ?? '', /script-src 'self'/, what);
  assert.equal(get('x-frame-options'), 'SAMEORIGIN', what);
}

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

  describe('a client label', () => {
    it('holds only browser and system names the parser knows, or null', async () => {
      const handle = uniqueLogin('label');
      const pwd = b64('secret-password');
      assert.equal((await api.post('/api/auth/register', { handle, pwd })).status, 200);
      const signIn = async (userAgent: string) => {
        const reply = await api.post('/api/auth/login', { handle, pwd }, { 'User-Agent': userAgent });
        assert.equal(reply.status, 200, userAgent);
        return reply.body.token as string;
      };
      await signIn('Call +1-555-0100 now: your account is hacked/1.0 x');
      // A C1 control (a one-character CSI on many terminals), as raw header bytes.
      const body = JSON.stringify({ handle, pwd });
      const raw = await rawExchange(
        running().port,
        Buffer.concat([
          Buffer.from('POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: '),
          Buffer.from([0x9b]),
          Buffer.from(
            `31mEvil/1.0 x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
              `Connection: close\r\n\r\n${body}`,
          ),
        ]),
      );
      assert.equal(raw.status, 200, raw.body);
      const token = await signIn('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0');
      const sessions = await api.get('/api/auth/sessions', { Authentication: token });
      assert.deepEqual(
        sessions.body.sessions.map((session: { client: string | null }) => session.client),
        ['Firefox on Linux', null, null, null],
      );
    });
  });

  describe('/docs', () => {
    it('serves the files Swagger UI runs with, and none of the rest of swagger-ui-dist', async () => {
      const page = await api.get('/docs');
      assert.equal(page.status, 200);
      const loaded = [...(page.text as string).matchAll(/(?:src|href)="\.?\/?(?:docs\/)?([^"]+)"/g)].map(
        (match) => match[1],
      );
      assert.deepEqual(loaded.sort(), [
        'favicon-16x16.png',
        'favicon-32x32.png',
        'swagger-ui-bundle.js',
        'swagger-ui-init.js',
        'swagger-ui-standalone-preset.js',
        'swagger-ui.css',
      ]);
      for (const file of [...loaded, 'openapi.json']) {
        const reply = await api.get(`/docs/${file}`);
        assert.equal(reply.status, 200, file);
        assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', file);
      }
      for (const file of [
        'package.json',
        'README.md',
        'LICENSE',
        'NOTICE',
        'swagger-initializer.js',
        'oauth2-redirect.html',
        'oauth2-redirect.js',
        'swagger-ui-bundle.js.map',
        'swagger-ui.css.map',
        'swagger-ui-es-bundle.js',
        'swagger-ui.js',
        'index.js',
        'index.css',
        'absolute-path.js',
        'SWAGGER-UI.CSS',
        'swagger%2Dui.css.map',
        '..%2Fpackage.json',
      ]) {
        const reply = await api.get(`/docs/${file}`);
        assert.equal(reply.status, 404, file);
        assert.deepEqual(reply.body, { error: 'Not Found', message: 'no such endpoint' }, file);
      }
    });
  });

  describe('caching', () => {
    it('gives no ETag and never answers 304, to token-bearing requests or any other', async () => {
      const { token } = await api.account();
      const validators: Record<string, string>[] = [
        { 'If-None-Match': '*' },
        { 'If-None-Match': 'W/"2d-EBREa4lRn8sRWNWpvlwPOlr37WI"' },
        { 'If-Modified-Since': new Date(Date.now() + 86_400_000).toUTCString() },
      ];
      const requests: [string, Record<string, string>][] = [
        ['/api/auth/me', { Authentication: token }],
        ['/api/auth/sessions', { Authorization: `Bearer ${token}` }],
        ['/health', {}],
        ['/docs/openapi.json', {}],
        ['/docs/swagger-ui.css', { Authentication: token }],
        ['/account', {}],
        ['/account/account.js', { Authentication: token }],
      ];
      for (const [path, headers] of requests) {
        for (const validator of validators) {
          // node:http, not fetch: fetch adds Cache-Control: no-cache to a conditional request,
          // which makes a server skip its freshness check.
          const reply = await plainGet(running().port, path, { ...headers, ...validator });
          const what = `${path} ${JSON.stringify(validator)}`;
          assert.equal(reply.status, 200, what);
          assert.ok(reply.length > 0, what);
          assert.equal(reply.headers.etag, undefined, what);
          assert.equal(reply.headers['last-modified'], undefined, what);
        }
      }
    });
  });

  describe('a request without a Host header', () => {
    it('is 400 in the dialect of its path, as JSON with the security headers, and the connection closed', async () => {
      const WEBSOCKET =
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
      const cases = [
        ['GET /api/auth/me HTTP/1.1\r\n\r\n', 'birdhouse'],
        ['POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}', 'birdhouse'],
        ['GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\n\r\n', 'birdhouse'],
        [`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n${WEBSOCKET}\r\n`, 'birdhouse'],
        ['GET /auth HTTP/1.1\r\n\r\n', 'classic'],
        ['GET /health HTTP/1.1\r\n\r\n', 'classic'],
        ['GET /docs HTTP/1.1\r\n\r\n', 'classic'],
      ] as const;
      for (const [bytes, dialect] of cases) {
        const what = bytes.split('\r\n')[0];
        const reply = await rawExchange(running().port, bytes);
        assert.equal(reply.status, 400, what);
        const { message, ...shape } = JSON.parse(reply.body);
        assert.deepEqual(
          shape,
          dialect === 'birdhouse' ? { status: 'error', error: 'Bad Request' } : { error: 'Bad Request' },
          what,
        );
        assert.equal(message, 'an HTTP/1.1 request needs a Host header', what);
        assert.match(reply.head, /^content-type: application\/json/im, what);
        assert.match(reply.head, /^connection: close/im, what);
        assertProtected(reply.head, what);
      }
      // HTTP/1.0 has no Host requirement, and a request with one is served as usual.
      assert.equal((await rawExchange(running().port, 'GET /health HTTP/1.0\r\n\r\n')).status, 200);
      assert.equal(
        (await rawExchange(running().port, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status,
        200,
      );
    });
  });

  describe('the socket.io path', () => {
    after(closeSockets);

    it('refuses JSONP polling in the Birdhouse shape, and keeps XHR polling and WebSocket', async () => {
      const jsonp = await api.get('/socket.io/?EIO=4&transport=polling&j=0');
      assert.equal(jsonp.status, 400);
      assert.deepEqual(jsonp.body, {
        status: 'error',
        error: 'Bad Request',
        message: 'JSONP polling is not supported: use XHR polling or WebSocket',
      });
      assert.match(jsonp.headers.get('content-type') ?? '', /^application\/json/);
      assertProtected(jsonp.headers, 'JSONP refusal');

      const xhr = await api.get('/socket.io/?EIO=4&transport=polling');
      assert.equal(xhr.status, 200);
      assert.match(xhr.text, /^0\{"sid":/);
      assertProtected(xhr.headers, 'polling handshake');

      const { login, token } = await api.account();
      for (const transports of [['polling'], ['websocket']]) {
        const socket = await openSocket(running().url, { auth: { token }, transports });
        assert.deepEqual(await whoami(socket), { status: 'ok', handle: login }, transports[0]);
        socket.close();
      }
    });

    it("answers engine.io's refusals in the Birdhouse shape, with the security headers", async () => {
      const cases = [
        ['/socket.io/?EIO=4&transport=carrier-pigeon', 400, 'Transport unknown'],
        ['/socket.io/?EIO=4&transport=polling&sid=nobody', 400, 'Session ID unknown'],
        ['/socket.io/?EIO=3&transport=polling', 400, 'Unsupported protocol version'],
      ] as const;
      for (const [path, status, message] of cases) {
        const reply = await api.get(path);
        assert.equal(reply.status, status, path);
        assert.deepEqual(reply.body, { status: 'error', error: 'Bad Request', message }, path);
        assertProtected(reply.headers, path);
      }
      const foreign = await api.get('/socket.io/?EIO=4&transport=polling', { Origin: 'https://evil.example' });
      assert.equal(foreign.status, 403);
      assert.deepEqual(foreign.body, {
        status: 'error',
        error: 'Forbidden',
        message: 'this origin may not open sockets',
      });
      assertProtected(foreign.headers, 'foreign origin');

      // A WebSocket upgrade from a foreign origin is refused before it is upgraded: same answer.
      const upgrade = await rawExchange(
        running().port,
        'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n' +
          'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
          'Origin: https://evil.example\r\n\r\n',
      );
      assert.equal(upgrade.status, 403, upgrade.head);
      assert.deepEqual(JSON.parse(upgrade.body), {
        status: 'error',
        error: 'Forbidden',
        message: 'this origin may not open sockets',
      });
      assertProtected(upgrade.head, 'refused upgrade');
    });
  });
});
