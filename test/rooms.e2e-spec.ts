import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Module, UseFilters } from '@nestjs/common';
import { MessageBody, SubscribeMessage, WebSocketGateway, WebSocketServer, ConnectedSocket } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import { MetricsServer } from '../src/metrics/metrics-server';
import { accountRoom, SocketSession } from '../src/realtime/socket-session';
import { WsErrorFilter } from '../src/realtime/ws-error.filter';
import type { Session } from '../src/tokens/session';
import { appPerSuite, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client } from './support/http';
import { assertSucceeded, runCli } from './support/cli';
import { dropPrefix, PrivateRedis, testPrefix } from './support/redis';
import { closeSockets, openSocket as open, watch } from './support/sockets';

/** CONTRACT section 14, counted from the revoking call's answer (or the command's exit). */
const REFUSED_WITHIN_MS = 200;
const DROPPED_WITHIN_MS = 500;
/** Long enough that the socket sweep cannot be what drops a socket. */
const SLOW_SWEEP = '30s';

/** An extension module's gateway, as the README shows one: it emits to rooms. */
@WebSocketGateway()
@UseFilters(WsErrorFilter)
class ShoutGateway {
  @WebSocketServer() server!: Server;

  @SubscribeMessage('shout')
  shout(@SocketSession() session: Session, @MessageBody() text: string): { status: 'ok' } {
    this.server.to(accountRoom(session.accountId)).emit('shouted', { from: session.login, text });
    return { status: 'ok' };
  }

  @SubscribeMessage('join-team')
  async join(@ConnectedSocket() socket: Socket, @MessageBody() team: string): Promise<{ status: 'ok' }> {
    await socket.join(`team:${team}`);
    return { status: 'ok' };
  }

  @SubscribeMessage('tell-team')
  tell(@SocketSession() session: Session, @MessageBody() team: string): { status: 'ok' } {
    this.server.to(`team:${team}`).emit('team', { from: session.login, team });
    return { status: 'ok' };
  }
}

@Module({ providers: [ShoutGateway] })
class ShoutModule {}

/** The next `event` the socket receives, or null after ms. */
function next(socket: ClientSocket, event: string, ms: number): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off(event, got);
      resolve(null);
    }, ms);
    const got = (payload: unknown) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, got);
  });
}

/** Polls GET /api/auth/me on `url` until 401; resolves with when it came (performance.now()), or NaN after ms. */
async function refusedAt(url: string, token: string, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  do {
    const reply = await client(() => url).get('/api/auth/me', { Authentication: token });
    if (reply.status === 401) return performance.now();
    await sleep(5);
  } while (performance.now() < deadline);
  return Number.NaN;
}

async function scrape(app: RunningApp): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${app.app.get(MetricsServer).port}/metrics`);
  return response.text();
}

describe('socket.io rooms and revocations across instances (REDIS_URL)', () => {
  eachEngine(__filename, (db) => {
    let redis: PrivateRedis;
    const prefix = testPrefix();
    // Hooks run in the order they are registered: Redis first up, last down.
    before(async () => {
      redis = await PrivateRedis.start();
    });
    after(closeSockets);
    const env = () => ({
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      TOKEN_SWEEP_INTERVAL: SLOW_SWEEP,
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
    });
    const a = appPerSuite(db, env, [ShoutModule]);
    const b = appPerSuite(db, env, [ShoutModule]);
    after(async () => {
      await redis?.stop();
      await dropPrefix(prefix).catch(() => undefined);
    });
    const apiA = client(() => a().url);
    const apiB = client(() => b().url);

    it("delivers an extension gateway's room event emitted on one instance to the account's socket on the other", async () => {
      const { token } = await apiA.account();
      const sender = await open(a().url, token);
      const receiver = await open(b().url, token);
      const heard = next(receiver, 'shouted', 2_000);
      assert.deepEqual(await sender.timeout(2_000).emitWithAck('shout', 'hello'), { status: 'ok' });
      const payload = (await heard) as { text?: string } | null;
      assert.equal(payload?.text, 'hello', 'the socket on the other instance got the event');
      // Another account's socket is not in the room.
      const stranger = await open(b().url, (await apiB.account()).token);
      const overheard = next(stranger, 'shouted', 500);
      await sender.timeout(2_000).emitWithAck('shout', 'private');
      assert.equal(await overheard, null);
    });

    it("delivers to an extension module's own room joined on the other instance", async () => {
      const member = await open(b().url, (await apiB.account()).token);
      const outsider = await open(b().url, (await apiB.account()).token);
      const sender = await open(a().url, (await apiA.account()).token);
      assert.deepEqual(await member.timeout(2_000).emitWithAck('join-team', 'red'), { status: 'ok' });
      const heard = next(member, 'team', 2_000);
      const overheard = next(outsider, 'team', 1_000);
      await sender.timeout(2_000).emitWithAck('tell-team', 'red');
      assert.deepEqual(((await heard) as { team?: string } | null)?.team, 'red');
      assert.equal(await overheard, null);
    });

    /** A second token of the account (another device), checked on B so that it sits in B's cache. */
    async function secondDeviceOnB(login: string, password: string): Promise<string> {
      const signIn = await apiA.post('/auth', { login, password });
      assert.equal(signIn.status, 200);
      const token = signIn.body.token as string;
      assert.equal((await apiB.get('/api/auth/me', { Authentication: token })).status, 200);
      return token;
    }

    /** CONTRACT section 14 on B for a token revoked on A, counted from A's answer. */
    async function assertGoneOnB(token: string, socket: ReturnType<typeof watch>, answered: number): Promise<void> {
      const refused = await refusedAt(b().url, token, 2_000);
      assert.ok(refused - answered <= REFUSED_WITHIN_MS, `refused on B after ${refused - answered} ms`);
      const dropped = await socket.disconnectedAt(2_000);
      assert.ok(dropped - answered <= DROPPED_WITHIN_MS, `dropped on B after ${dropped - answered} ms`);
      assert.deepEqual(socket.events, ['revoked:{"reason":"revoked"}', 'disconnect']);
    }

    it('refuses on the other instance within 200 ms a token invalidated on one, and drops its sockets there within 500 ms', async () => {
      const { token } = await apiA.account();
      // B has just checked the token: it sits in B's cache.
      assert.equal((await apiB.get('/api/auth/me', { Authentication: token })).status, 200);
      const socket = watch(await open(b().url, token));
      const out = await apiA.post('/api/auth/invalidate', { token }, { Authentication: token });
      const answered = performance.now();
      assert.equal(out.status, 200);
      await assertGoneOnB(token, socket, answered);
    });

    const endingOthers: [how: string, path: string, body: (password: string) => object][] = [
      ['revoke-others', '/api/auth/sessions/revoke-others', (password) => ({ pwd: b64(password) })],
      [
        'a password change',
        '/api/auth/password',
        (password) => ({ pwd: b64(password), newPwd: b64('fresh-shared-password') }),
      ],
    ];
    for (const [how, path, body] of endingOthers) {
      it(`does the same for the other sessions ended on one instance by ${how}, keeping the caller on both`, async () => {
        const { login, password, token: caller } = await apiA.account();
        const other = await secondDeviceOnB(login, password);
        const socket = watch(await open(b().url, other));
        const callerSocket = watch(await open(b().url, caller));
        const out = await apiA.post(path, body(password), { Authentication: caller });
        const answered = performance.now();
        assert.deepEqual([out.status, out.body], [200, { status: 'ok', revoked: 1 }]);
        await assertGoneOnB(other, socket, answered);
        assert.equal((await apiB.get('/api/auth/me', { Authentication: caller })).status, 200);
        assert.deepEqual(callerSocket.events, []);
      });
    }

    it("does the same for the owner's revoke-tokens run with REDIS_URL, counted from the command's exit", async () => {
      const { login, token } = await apiA.account();
      assert.equal((await apiB.get('/api/auth/me', { Authentication: token })).status, 200);
      const onA = watch(await open(a().url, token));
      const onB = watch(await open(b().url, token));
      const run = await runCli(['revoke-tokens', login], {
        DATABASE_URL: db().url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: prefix,
      });
      assertSucceeded(run);
      const refused = await refusedAt(b().url, token, 2_000);
      assert.ok(refused - run.endedAt <= REFUSED_WITHIN_MS, `refused on B after ${refused - run.endedAt} ms`);
      for (const [name, socket] of [
        ['A', onA],
        ['B', onB],
      ] as const) {
        const dropped = await socket.disconnectedAt(2_000);
        assert.ok(dropped - run.endedAt <= DROPPED_WITHIN_MS, `dropped on ${name} after ${dropped - run.endedAt} ms`);
      }
    });

    it('reports Redis in /health and in the metrics, without letting it decide the status', async () => {
      assert.deepEqual((await apiA.get('/health')).body, { status: 'ok', database: 'up', redis: 'up' });
      assert.match(await scrape(a()), /^gatehouse_redis_up 1$/m);
    });

    describe('while Redis is down, and after it is back', () => {
      let token: string;
      let login: string;
      let password: string;
      let onB: ClientSocket;

      before(async () => {
        ({ token, login, password } = await apiA.account());
        onB = await open(b().url, token);
        await redis.stop();
      });

      it('keeps tokens and sockets working, answers sign-in with 503, and says redis "down"', async () => {
        assert.equal((await apiA.get('/api/auth/me', { Authentication: token })).status, 200);
        assert.equal((await apiB.get('/api/auth/me', { Authentication: token })).status, 200);
        assert.deepEqual(await onB.timeout(2_000).emitWithAck('whoami'), { status: 'ok', handle: login });
        const fresh = await open(a().url, token);
        assert.deepEqual(await fresh.timeout(2_000).emitWithAck('whoami'), { status: 'ok', handle: login });
        // A room event still reaches this instance's own sockets, without waiting for Redis.
        const local = next(fresh, 'shouted', 1_500);
        await fresh.timeout(2_000).emitWithAck('shout', 'local');
        assert.equal(((await local) as { text?: string } | null)?.text, 'local');
        const signIn = await apiA.post('/api/auth/login', { handle: login, pwd: b64(password) });
        assert.equal(signIn.status, 503, signIn.text);
        assert.equal(signIn.body.error, 'Service Unavailable');
        const health = await apiA.get('/health');
        assert.equal(health.status, 200);
        assert.deepEqual(health.body, { status: 'ok', database: 'up', redis: 'down' });
        assert.match(await scrape(a()), /^gatehouse_redis_up 0$/m);
      });

      it('carries room events between the instances again once Redis is back', async () => {
        await redis.resume();
        const sender = await open(a().url, token);
        let payload: unknown = null;
        // The adapter's connections come back with ioredis's back-off (at most 2 s between tries).
        for (let attempt = 0; attempt < 30 && payload === null; attempt++) {
          const heard = next(onB, 'shouted', 500);
          await sender.timeout(2_000).emitWithAck('shout', `again ${attempt}`);
          payload = await heard;
        }
        assert.match(
          String((payload as { text?: string } | null)?.text),
          /^again \d+$/,
          'no room event reached B after Redis came back',
        );
        assert.deepEqual((await apiA.get('/health')).body, { status: 'ok', database: 'up', redis: 'up' });
        assert.equal((await apiA.post('/api/auth/login', { handle: login, pwd: b64(password) })).status, 200);
      });
    });
  });
});
