import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, it } from 'node:test';
import { DataSource } from 'typeorm';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { client, request, uniqueLogin } from './support/http';
import { ProbeModule, tokenRow, twoDevices } from './support/realtime';
import * as sockets from './support/sockets';

/** CONTRACT section 7: who gets in, into which rooms, and what other gateways see. */

const ORIGIN = 'https://app.example.com';
const WAIT_MS = 3000;

eachEngine(__filename, (db) => {
  const running = appPerSuite(db, { CORS_ORIGINS: ORIGIN }, [ProbeModule]);
  const api = client(() => running().url);
  const { open, refusal } = sockets.socketsOf(() => running().url);
  afterEach(sockets.closeSockets);

  it('admits auth.token and answers whoami with the login as registered', async () => {
    const { login, token } = await api.account(uniqueLogin('MiXed'));
    const s = await open({ auth: { token } });
    assert.deepEqual(await sockets.whoami(s), { status: 'ok', handle: login });
    // A payload sent along with whoami changes nothing.
    assert.deepEqual(await s.timeout(WAIT_MS).emitWithAck('whoami', { handle: 'someone-else' }), {
      status: 'ok',
      handle: login,
    });
  });

  it('admits the token from the Authentication header (bare or Bearer) and Authorization: Bearer', async () => {
    const { login, token } = await api.account();
    const variants: Record<string, string>[] = [
      { Authentication: token },
      { Authentication: `Bearer ${token}` },
      { Authentication: `bEARer    ${token}` },
      { Authorization: `Bearer ${token}` },
      { Authorization: `bearer  ${token}` },
    ];
    for (const extraHeaders of variants) {
      const s = await open({ extraHeaders });
      assert.deepEqual(await sockets.whoami(s), { status: 'ok', handle: login }, JSON.stringify(extraHeaders));
    }
  });

  it('prefers auth.token to the headers', async () => {
    const { login, token } = await api.account();
    const s = await open({ auth: { token }, extraHeaders: { Authorization: 'Basic bm8=' } });
    assert.deepEqual(await sockets.whoami(s), { status: 'ok', handle: login });
    const other = await api.account();
    assert.equal(
      await refusal({ auth: { token: 'x'.repeat(43) }, extraHeaders: { Authentication: other.token } }),
      'Unauthorized',
    );
  });

  it('refuses every handshake without a valid token with connect_error "Unauthorized"', async () => {
    const { token } = await api.account();
    const revoked = (await api.account()).token;
    assert.equal((await api.post('/api/auth/invalidate', { token: revoked }, { Authentication: revoked })).status, 200);
    const cases: Record<string, sockets.ClientOptions> = {
      'no token at all': {},
      'an unknown token': { auth: { token: 'Q'.repeat(43) } },
      'a revoked token': { auth: { token: revoked } },
      'a revoked token in a header': { extraHeaders: { Authentication: revoked } },
      'the token with a trailing space': { auth: { token: `${token} ` } },
      'a number': { auth: { token: 42 } },
      'an object': { auth: { token: { token } } },
      'an array': { auth: { token: [token] } },
      'a boolean': { auth: { token: true } },
      'an oversized auth.token': { auth: { token: 'A'.repeat(10_000) } },
      'an oversized header': { extraHeaders: { Authentication: 'A'.repeat(8_000) } },
      'a malformed Authentication header': { extraHeaders: { Authentication: `${token} ${token}` } },
      'a bare token in Authorization': { extraHeaders: { Authorization: token } },
      'another scheme in Authorization': { extraHeaders: { Authorization: `Basic ${token}` } },
      'the token in the query string': { query: { token } },
      'the token in the query string as a header name': {
        query: { Authentication: token, authorization: `Bearer ${token}` },
      },
    };
    for (const [name, options] of Object.entries(cases)) {
      assert.equal(await refusal(options), 'Unauthorized', name);
    }
    // Refusals left the server working.
    assert.equal((await sockets.whoami(await open({ auth: { token } }))).status, 'ok');
  });

  it('drops a handshake bigger than 64 KiB without reading it, connecting or crashing', async () => {
    const { token } = await api.account();
    const s = sockets.clientSocket(running().url, { auth: { token: 'A'.repeat(100 * 1024) } });
    const events: string[] = [];
    s.on('connect', () => events.push('connect'));
    s.on('connect_error', (error) => events.push(`connect_error: ${error.message}`));
    const closed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connection still open after ${WAIT_MS} ms`)), WAIT_MS);
      s.io.once('close', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
    await sleep(200);
    // The server closed the connection without reading the handshake: no refusal, no connect.
    assert.equal(closed, 'transport close');
    assert.deepEqual(events, []);
    assert.equal((await sockets.whoami(await open({ auth: { token } }))).status, 'ok');
  });

  it('puts every socket in account:<id> and token:<id>, and other gateways read the session with @SocketSession', async () => {
    const { login, token1, token2 } = await twoDevices(() => running().url);
    const row1 = await tokenRow(db(), token1);
    const row2 = await tokenRow(db(), token2);
    const a = await open({ auth: { token: token1 } });
    const b = await open({ extraHeaders: { Authorization: `Bearer ${token2}` } });
    const stranger = await open({ auth: { token: (await api.account()).token } });
    assert.deepEqual(await a.timeout(WAIT_MS).emitWithAck('probe:session'), {
      accountId: row1.accountId,
      tokenId: row1.id,
      rooms: [`account:${row1.accountId}`, `token:${row1.id}`].sort(),
    });
    assert.deepEqual(
      (await b.timeout(WAIT_MS).emitWithAck('probe:session')).rooms,
      [`account:${row2.accountId}`, `token:${row2.id}`].sort(),
    );

    const heard: string[] = [];
    for (const [name, s] of [
      ['a', a],
      ['b', b],
      ['stranger', stranger],
    ] as const)
      s.on('told', (who) => heard.push(`${name}:${who}`));
    assert.deepEqual(await a.timeout(WAIT_MS).emitWithAck('probe:tell-account'), { sent: true });
    await sleep(200);
    assert.deepEqual(heard.sort(), [`a:${login}`, `b:${login}`]);
  });

  it('answers failed handlers in the Birdhouse error shape through the acknowledgement, and keeps serving', async () => {
    const { login, token } = await api.account();
    const s = await open({ auth: { token } });
    const ask = (event: string, ...args: unknown[]) => s.timeout(WAIT_MS).emitWithAck(event, ...args);
    assert.deepEqual(await ask('probe:echo', { text: 'hi' }), { text: 'hi' });
    const invalid = await ask('probe:echo', { text: 5 });
    assert.equal(invalid.status, 'error');
    assert.equal(invalid.error, 'Bad Request');
    assert.match(invalid.message, /text/);
    assert.deepEqual(Object.keys(await ask('probe:echo', 'not an object')).sort(), ['error', 'message', 'status']);
    assert.deepEqual(await ask('probe:echo', { text: 'hi', extra: 1 }).then((r) => r.error), 'Bad Request');
    assert.deepEqual(await ask('probe:crash'), { status: 'error', error: 'Internal Server Error' });
    const exceptions: unknown[] = [];
    s.on('exception', (body) => exceptions.push(body));
    s.emit('probe:crash');
    assert.deepEqual(await sockets.whoami(s), { status: 'ok', handle: login });
    await sleep(100);
    assert.deepEqual(exceptions, [{ status: 'error', error: 'Internal Server Error' }]);
  });

  it('guards a namespace declared by another gateway with the same handshake', async () => {
    const { login, token } = await api.account();
    assert.equal(await refusal({}, '/probe'), 'Unauthorized');
    assert.equal(await refusal({ auth: { token: 'Q'.repeat(43) } }, '/probe'), 'Unauthorized');
    const s = await open({ auth: { token } }, '/probe');
    assert.deepEqual(await s.timeout(WAIT_MS).emitWithAck('probe:whoami'), { login });
  });

  it('sends socket.io the CORS headers of CORS_ORIGINS, as HTTP does', async () => {
    const handshake = '/socket.io/?EIO=4&transport=polling';
    const listed = await request(running().url, 'GET', handshake, { headers: { Origin: ORIGIN } });
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('access-control-allow-origin'), ORIGIN);
    const unlisted = await request(running().url, 'GET', handshake, {
      headers: { Origin: 'https://evil.example.com' },
    });
    assert.equal(unlisted.headers.get('access-control-allow-origin'), null);
    const preflight = await request(running().url, 'OPTIONS', handshake, {
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authentication,content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authentication/);
  });

  it('refuses with "Service Unavailable", not "Unauthorized", while the database cannot be reached', async () => {
    const { token } = await api.account();
    // This test owns the app: it breaks its database.
    const broken = await startApp(db(), {}, [ProbeModule]);
    try {
      await broken.app.get(DataSource).destroy();
      assert.equal(await sockets.refusal(`${broken.url}/`, { auth: { token } }), 'Service Unavailable');
      assert.equal(
        await sockets.refusal(`${broken.url}/probe`, { extraHeaders: { Authentication: token } }),
        'Service Unavailable',
      );
      // Still a plain refusal when there is nothing to look up.
      assert.equal(await sockets.refusal(`${broken.url}/`, {}), 'Unauthorized');
      assert.equal((await request(broken.url, 'GET', '/health')).status, 503);
    } finally {
      await broken.close();
    }
  });
});
