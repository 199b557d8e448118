import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketServer } from '@nestjs/websockets';
import { IsString } from 'class-validator';
import type { Server, Socket } from 'socket.io';
import { io, type ManagerOptions, type Socket as ClientSocket, type SocketOptions } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { accountRoom, GatehouseGateway, type Session, SocketSession } from '../src/extension';
import { hashToken } from '../src/tokens/token-secret';
import { TokensService } from '../src/tokens/tokens.service';
import { startApp, type RunningApp } from './support/app';
import { eachEngine, type TestDatabase } from './support/engines';
import { client, request, uniqueLogin } from './support/http';

class EchoDto {
  @IsString()
  text: string;
}

/** What another team's gateways look like: they read the session and the rooms, nothing more. */
@GatehouseGateway()
class ProbeGateway {
  @WebSocketServer() server: Server;

  @SubscribeMessage('probe:session')
  session(@SocketSession() session: Session, @ConnectedSocket() socket: Socket) {
    return { accountId: session.accountId, tokenId: session.tokenId, rooms: [...socket.rooms].filter((r) => r !== socket.id).sort() };
  }

  @SubscribeMessage('probe:tell-account')
  tell(@SocketSession() session: Session): { sent: true } {
    this.server.to(accountRoom(session.accountId)).emit('told', session.login);
    return { sent: true };
  }

  @SubscribeMessage('probe:echo')
  echo(@MessageBody() body: EchoDto): { text: string } {
    return { text: body.text };
  }

  @SubscribeMessage('probe:crash')
  crash(@SocketSession() _session: Session): never {
    throw new Error('a bug with internal details');
  }
}

@GatehouseGateway({ namespace: 'probe' })
class NamespacedProbeGateway {
  @SubscribeMessage('probe:whoami')
  whoami(@SocketSession() session: Session): { login: string } {
    return { login: session.login };
  }
}

@Module({ providers: [ProbeGateway, NamespacedProbeGateway] })
class ProbeModule {}

type ClientOptions = Partial<ManagerOptions & SocketOptions>;

const ORIGIN = 'https://app.example.com';
const WAIT_MS = 3000;

eachEngine(__filename, (db) => {
  let running: RunningApp;
  const api = client(() => running.url);
  const opened: ClientSocket[] = [];

  before(async () => {
    running = await startApp(db(), { CORS_ORIGINS: ORIGIN }, [ProbeModule]);
  });
  after(async () => {
    await running?.close();
  });
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.close();
  });

  function socket(app: RunningApp, options: ClientOptions = {}, namespace = '/'): ClientSocket {
    const s = io(`${app.url}${namespace}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: WAIT_MS,
      ...options,
    });
    opened.push(s);
    return s;
  }

  /** A connected socket; rejects with the connect_error otherwise. */
  function open(options: ClientOptions, namespace = '/', app = running): Promise<ClientSocket> {
    const s = socket(app, options, namespace);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connect within ${WAIT_MS} ms`)), WAIT_MS);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('connect_error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** The connect_error message of a refused handshake; fails if the socket connects. */
  function refusal(options: ClientOptions, namespace = '/', app = running): Promise<string> {
    const s = socket(app, options, namespace);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`neither connect nor connect_error within ${WAIT_MS} ms`)), WAIT_MS);
      s.once('connect', () => {
        clearTimeout(timer);
        reject(new Error(`connected with ${JSON.stringify(options)}`));
      });
      s.once('connect_error', (error) => {
        clearTimeout(timer);
        resolve(error.message);
      });
    });
  }

  interface Ending {
    reason: string;
    revoked: unknown;
    at: number;
  }

  /** Resolves when the server disconnects the socket, with what it said first. */
  function ending(s: ClientSocket, withinMs: number): Promise<Ending> {
    let revoked: unknown;
    s.on('revoked', (payload) => {
      revoked = payload;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still connected after ${withinMs} ms`)), withinMs);
      s.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve({ reason, revoked, at: Date.now() });
      });
    });
  }

  const whoami = (s: ClientSocket) => s.timeout(WAIT_MS).emitWithAck('whoami');
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  async function tokenRow(database: TestDatabase, token: string): Promise<{ id: number; accountId: number }> {
    const rows = (await database.sql('SELECT id, account_id FROM tokens WHERE token_hash = ?', [hashToken(token)])) as {
      id: number;
      account_id: number;
    }[];
    assert.equal(rows.length, 1);
    return { id: Number(rows[0].id), accountId: Number(rows[0].account_id) };
  }

  /** An account with two tokens (two devices). */
  async function twoDevices(base: () => string) {
    const http = client(base);
    const first = await http.account(uniqueLogin('Dev'));
    const second = await http.post('/auth', { login: first.login, password: first.password });
    assert.equal(second.status, 200);
    return { login: first.login, token1: first.token, token2: second.body.token as string };
  }

  it('admits auth.token and answers whoami with the login as registered', async () => {
    const { login, token } = await api.account(uniqueLogin('MiXed'));
    const s = await open({ auth: { token } });
    assert.deepEqual(await whoami(s), { status: 'ok', handle: login });
    // A payload sent along with whoami changes nothing.
    assert.deepEqual(await s.timeout(WAIT_MS).emitWithAck('whoami', { handle: 'someone-else' }), { status: 'ok', handle: login });
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
      assert.deepEqual(await whoami(s), { status: 'ok', handle: login }, JSON.stringify(extraHeaders));
    }
  });

  it('prefers auth.token to the headers', async () => {
    const { login, token } = await api.account();
    const s = await open({ auth: { token }, extraHeaders: { Authorization: 'Basic bm8=' } });
    assert.deepEqual(await whoami(s), { status: 'ok', handle: login });
    const other = await api.account();
    assert.equal(await refusal({ auth: { token: 'x'.repeat(43) }, extraHeaders: { Authentication: other.token } }), 'Unauthorized');
  });

  it('refuses every handshake without a valid token with connect_error "Unauthorized"', async () => {
    const { token } = await api.account();
    const revoked = (await api.account()).token;
    assert.equal((await api.post('/api/auth/invalidate', { token: revoked }, { Authentication: revoked })).status, 200);
    const cases: Record<string, ClientOptions> = {
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
      'the token in the query string as a header name': { query: { Authentication: token, authorization: `Bearer ${token}` } },
    };
    for (const [name, options] of Object.entries(cases)) {
      assert.equal(await refusal(options), 'Unauthorized', name);
    }
    // Refusals left the server working.
    assert.equal((await whoami(await open({ auth: { token } }))).status, 'ok');
  });

  it('drops a handshake bigger than 64 KiB without reading it, connecting or crashing', async () => {
    const { token } = await api.account();
    const s = socket(running, { auth: { token: 'A'.repeat(100 * 1024) } });
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
    assert.equal((await whoami(await open({ auth: { token } }))).status, 'ok');
  });

  it('puts every socket in account:<id> and token:<id>, and other gateways read the session with @SocketSession', async () => {
    const { login, token1, token2 } = await twoDevices(() => running.url);
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
    assert.deepEqual((await b.timeout(WAIT_MS).emitWithAck('probe:session')).rooms, [`account:${row2.accountId}`, `token:${row2.id}`].sort());

    const heard: string[] = [];
    for (const [name, s] of [['a', a], ['b', b], ['stranger', stranger]] as const) s.on('told', (who) => heard.push(`${name}:${who}`));
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
    assert.deepEqual(await whoami(s), { status: 'ok', handle: login });
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

  it('disconnects every socket of a token invalidated through the API at once, and only those', async () => {
    const { login, token1, token2 } = await twoDevices(() => running.url);
    const doomed = [
      await open({ auth: { token: token1 } }),
      await open({ extraHeaders: { Authentication: `Bearer ${token1}` } }),
      await open({ auth: { token: token1 } }, '/probe'),
    ];
    const survivor = await open({ auth: { token: token2 } });
    const endings = doomed.map((s) => ending(s, 1000));
    let survivorEnded = false;
    survivor.on('disconnect', () => {
      survivorEnded = true;
    });
    const invalidated = await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 });
    assert.equal(invalidated.status, 200);
    for (const end of await Promise.all(endings)) {
      assert.equal(end.reason, 'io server disconnect');
      assert.deepEqual(end.revoked, { reason: 'revoked' });
    }
    await sleep(300);
    assert.equal(survivorEnded, false);
    assert.equal(survivor.connected, true);
    assert.deepEqual(await whoami(survivor), { status: 'ok', handle: login });
    assert.equal(await refusal({ auth: { token: token1 } }), 'Unauthorized');
  });

  it('lets no handshake racing an invalidation outlive the token', async () => {
    const { token1, token2 } = await twoDevices(() => running.url);
    const racers = Array.from({ length: 20 }, () => socket(running, { auth: { token: token1 } }));
    const settled = racers.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`handshake unsettled after ${WAIT_MS} ms`)), WAIT_MS);
          s.once('connect', () => {
            clearTimeout(timer);
            resolve();
          });
          s.once('connect_error', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    );
    const invalidated = await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 });
    assert.equal(invalidated.status, 200);
    await Promise.all(settled);
    await sleep(300);
    assert.deepEqual(racers.filter((s) => s.connected).length, 0);
  });

  it('refuses a handshake whose token was revoked while its check was reading the database', async () => {
    const { token1, token2 } = await twoDevices(() => running.url);
    const tokens = running.app.get(TokensService);
    const authenticate = tokens.authenticate;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let checked!: () => void;
    const checkedOnce = new Promise<void>((resolve) => (checked = resolve));
    // Holds token1's check between its database read and its answer.
    tokens.authenticate = async function (this: TokensService, token: string) {
      const session = await authenticate.call(this, token);
      if (token === token1) {
        checked();
        await gate;
      }
      return session;
    };
    try {
      const pending = refusal({ auth: { token: token1 } });
      await checkedOnce;
      assert.equal((await api.post('/api/auth/invalidate', { token: token1 }, { Authentication: token2 })).status, 200);
      release();
      assert.equal(await pending, 'Unauthorized');
    } finally {
      tokens.authenticate = authenticate;
      release();
    }
  });

  it('disconnects every socket of an account when all its tokens are revoked (owner reset)', async () => {
    const { token1, token2 } = await twoDevices(() => running.url);
    const { accountId } = await tokenRow(db(), token1);
    const other = await open({ auth: { token: (await api.account()).token } });
    const endings = [await open({ auth: { token: token1 } }), await open({ auth: { token: token2 } })].map((s) => ending(s, 1000));
    assert.equal(await running.app.get(TokensService).revokeAll(accountId), 2);
    for (const end of await Promise.all(endings)) assert.deepEqual(end.revoked, { reason: 'revoked' });
    await sleep(200);
    assert.equal(other.connected, true);
  });

  it('sends socket.io the CORS headers of CORS_ORIGINS, as HTTP does', async () => {
    const handshake = '/socket.io/?EIO=4&transport=polling';
    const listed = await request(running.url, 'GET', handshake, { headers: { Origin: ORIGIN } });
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('access-control-allow-origin'), ORIGIN);
    const unlisted = await request(running.url, 'GET', handshake, { headers: { Origin: 'https://evil.example.com' } });
    assert.equal(unlisted.headers.get('access-control-allow-origin'), null);
    const preflight = await request(running.url, 'OPTIONS', handshake, {
      headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authentication,content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authentication/);
  });

  it('refuses with "Service Unavailable", not "Unauthorized", while the database cannot be reached', async () => {
    const { token } = await api.account();
    const broken = await startApp(db(), {}, [ProbeModule]);
    try {
      await broken.app.get(DataSource).destroy();
      assert.equal(await refusal({ auth: { token } }, '/', broken), 'Service Unavailable');
      assert.equal(await refusal({ extraHeaders: { Authentication: token } }, '/probe', broken), 'Service Unavailable');
      // Still a plain refusal when there is nothing to look up.
      assert.equal(await refusal({}, '/', broken), 'Unauthorized');
      assert.equal((await request(broken.url, 'GET', '/health')).status, 503);
    } finally {
      await broken.close();
    }
  });

  describe('with a 2 s token lifetime and a 200 ms sweep', () => {
    let shortLived: RunningApp;
    before(async () => {
      shortLived = await startApp(db(), { TOKEN_TTL: '2s', TOKEN_SWEEP_INTERVAL: '0.2s' });
    });
    after(async () => {
      await shortLived?.close();
    });

    it('disconnects a socket when its token expires, not before', async () => {
      const issuedAfter = Date.now();
      const { token } = await client(() => shortLived.url).account();
      const issuedBefore = Date.now();
      const s = await open({ auth: { token } }, '/', shortLived);
      const end = ending(s, 4000);
      await sleep(Math.max(0, issuedAfter + 1500 - Date.now()));
      assert.equal(s.connected, true);
      assert.equal((await whoami(s)).status, 'ok');
      const { at, reason, revoked } = await end;
      assert.deepEqual(revoked, { reason: 'expired' });
      assert.equal(reason, 'io server disconnect');
      assert.ok(at >= issuedAfter + 2000, `disconnected ${issuedAfter + 2000 - at} ms before expiry`);
      assert.ok(at <= issuedBefore + 2000 + 200 + 300, `disconnected ${at - issuedBefore - 2000} ms after expiry`);
      assert.equal(await refusal({ auth: { token } }, '/', shortLived), 'Unauthorized');
    });
  });

  describe('with a 200 ms sweep', () => {
    let fastSweep: RunningApp;
    before(async () => {
      fastSweep = await startApp(db(), { TOKEN_SWEEP_INTERVAL: '0.2s' });
    });
    after(async () => {
      await fastSweep?.close();
    });

    it('disconnects, within the sweep interval, a socket whose token another process deleted', async () => {
      const { login, token1, token2 } = await twoDevices(() => fastSweep.url);
      const doomed = await open({ auth: { token: token1 } }, '/', fastSweep);
      const survivor = await open({ auth: { token: token2 } }, '/', fastSweep);
      let survivorEnded = false;
      survivor.on('disconnect', () => {
        survivorEnded = true;
      });
      const end = ending(doomed, 2000);
      const deletedAt = Date.now();
      await db().sql('DELETE FROM tokens WHERE token_hash = ?', [hashToken(token1)]);
      const { at, revoked } = await end;
      assert.deepEqual(revoked, { reason: 'revoked' });
      assert.ok(at - deletedAt <= 200 + 150, `disconnected ${at - deletedAt} ms after the delete`);
      await sleep(500);
      assert.equal(survivorEnded, false);
      assert.deepEqual(await whoami(survivor), { status: 'ok', handle: login });
    });
  });
});
