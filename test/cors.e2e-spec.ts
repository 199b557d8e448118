import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, request, uniqueLogin } from './support/http';

/** CONTRACT section 10 (CORS_ORIGINS): which origins a browser may call the REST API from. */

const TEST_TIMEOUT = { timeout: 90_000 };
const ORIGIN = 'https://app.example.com';

eachEngine(__filename, (db) => {
  describe('CORS', () => {
    const listed = appPerSuite(db, { CORS_ORIGINS: `${ORIGIN}, https://other.example.com` });
    const any = appPerSuite(db, { CORS_ORIGINS: '*' });

    const preflight = (base: string, origin: string, path = '/api/auth/login') =>
      request(base, 'OPTIONS', path, {
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authentication,authorization,content-type',
        },
      });
    const allowedHeaders = (reply: { headers: Headers }) =>
      (reply.headers.get('access-control-allow-headers') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .sort();

    it(
      'lets a listed origin preflight every endpoint with the three token and body headers',
      TEST_TIMEOUT,
      async () => {
        for (const path of [
          '/api/auth/login',
          '/api/auth/register',
          '/api/auth/invalidate',
          '/api/auth/me',
          '/register',
          '/auth',
          '/health',
        ]) {
          const reply = await preflight(listed().url, ORIGIN, path);
          assert.ok(reply.status === 204 || reply.status === 200, `${path}: ${reply.status}`);
          assert.equal(reply.headers.get('access-control-allow-origin'), ORIGIN, path);
          assert.deepEqual(allowedHeaders(reply), ['authentication', 'authorization', 'content-type'], path);
          assert.match(reply.headers.get('access-control-allow-methods') ?? '', /POST/, path);
        }
        const second = await preflight(listed().url, 'https://other.example.com');
        assert.equal(second.headers.get('access-control-allow-origin'), 'https://other.example.com');
      },
    );

    it(
      'puts Access-Control-Allow-Origin on the actual responses of a listed origin, errors included',
      TEST_TIMEOUT,
      async () => {
        const api = client(() => listed().url);
        const headers = { Origin: ORIGIN };
        const handle = uniqueLogin('Cors');
        const reg = await api.post('/api/auth/register', { handle, pwd: b64('secret12') }, headers);
        assert.equal(reg.status, 200);
        const replies = [
          reg,
          await api.post('/api/auth/login', { handle, pwd: 'not base64!' }, headers),
          await api.post('/api/auth/login', { handle, pwd: b64('wrong-password') }, headers),
          await api.raw('POST', '/api/auth/login', '{"handle":', { ...headers, 'Content-Type': 'application/json' }),
          await api.get('/api/auth/me', { ...headers, Authentication: reg.body.token }),
          await api.get('/api/auth/me', headers),
          await api.get('/nowhere', headers),
        ];
        assert.deepEqual(
          replies.map((r) => r.status),
          [200, 400, 401, 400, 200, 401, 404],
        );
        for (const reply of replies)
          assert.equal(reply.headers.get('access-control-allow-origin'), ORIGIN, `${reply.status} ${reply.text}`);
      },
    );

    it('gives an origin that is not listed no Access-Control-Allow-Origin', TEST_TIMEOUT, async () => {
      for (const origin of [
        'https://evil.example.com',
        'http://app.example.com',
        'https://app.example.com:8443',
        'null',
      ]) {
        const pre = await preflight(listed().url, origin);
        assert.equal(pre.headers.get('access-control-allow-origin'), null, origin);
        const actual = await client(() => listed().url).post(
          '/api/auth/login',
          { handle: 'nobody', pwd: '!' },
          { Origin: origin },
        );
        assert.equal(actual.status, 400);
        assert.equal(actual.headers.get('access-control-allow-origin'), null, origin);
      }
      // A request without Origin (same origin, or not a browser) is served as usual.
      assert.equal((await request(listed().url, 'GET', '/health')).status, 200);
    });

    it('allows any origin with CORS_ORIGINS="*"', TEST_TIMEOUT, async () => {
      for (const origin of ['https://evil.example.com', 'http://localhost:5173', ORIGIN]) {
        const pre = await preflight(any().url, origin);
        assert.ok(pre.status === 204 || pre.status === 200, String(pre.status));
        assert.ok([origin, '*'].includes(pre.headers.get('access-control-allow-origin') ?? ''), origin);
        assert.deepEqual(allowedHeaders(pre), ['authentication', 'authorization', 'content-type']);
        const actual = await client(() => any().url).post(
          '/api/auth/login',
          { handle: 'nobody', pwd: '!' },
          { Origin: origin },
        );
        assert.equal(actual.status, 400);
        assert.ok([origin, '*'].includes(actual.headers.get('access-control-allow-origin') ?? ''), origin);
      }
    });

    it('gives no origin Access-Control-Allow-Origin when CORS_ORIGINS is unset', TEST_TIMEOUT, async () => {
      const plain = await startApp(db());
      try {
        const pre = await preflight(plain.url, ORIGIN);
        assert.equal(pre.headers.get('access-control-allow-origin'), null);
        const actual = await request(plain.url, 'GET', '/health', { headers: { Origin: ORIGIN } });
        assert.equal(actual.status, 200);
        assert.equal(actual.headers.get('access-control-allow-origin'), null);
      } finally {
        await plain.close();
      }
    });
  });
});
