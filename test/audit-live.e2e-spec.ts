import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import { appPerSuite } from './support/app';
import { assertSucceeded, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';
import { dropPrefix, PrivateRedis, testPrefix } from './support/redis';
import { closeSockets, openSocket as open } from './support/sockets';

/**
 * Each event of an account sent live to its sockets as `security` (CONTRACT section 20), across
 * instances with Redis: within 1 s on the instance that recorded it, 500 ms more on the others.
 */
const HERE_MS = 1_000;
const ELSEWHERE_MS = 1_500;
/** Long enough that the owner-event poll cannot be what delivers an event here. */
const SLOW_SWEEP = '30s';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const TEST_TIMEOUT = { timeout: 60_000 };

interface Heard {
  payload: Record<string, unknown>;
  /** performance.now() when it came. */
  at: number;
}

/** Every `security` event of the socket from now on. */
function record(socket: Socket): Heard[] {
  const heard: Heard[] = [];
  socket.on('security', (payload: Record<string, unknown>) => heard.push({ payload, at: performance.now() }));
  return heard;
}

/** Waits until `heard` holds an event named `event`, at most ms; returns it or undefined. */
async function first(heard: Heard[], event: string, ms: number): Promise<Heard | undefined> {
  const deadline = performance.now() + ms;
  for (;;) {
    const found = heard.find((h) => h.payload.event === event);
    if (found || performance.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('security events on the sockets of every instance (REDIS_URL)', () => {
  eachEngine(__filename, (db) => {
    let redis: PrivateRedis;
    const prefix = testPrefix();
    before(async () => {
      redis = await PrivateRedis.start();
    });
    after(closeSockets);
    const env = () => ({ REDIS_URL: redis.url, REDIS_PREFIX: prefix, TOKEN_SWEEP_INTERVAL: SLOW_SWEEP });
    const a = appPerSuite(db, env);
    const b = appPerSuite(db, env);
    after(async () => {
      await redis?.stop();
      await dropPrefix(prefix).catch(() => undefined);
    });
    const apiA = client(() => a().url);

    it(
      'sends a sign-in to the sockets here within 1 s and on the other instance within 1.5 s',
      TEST_TIMEOUT,
      async () => {
        const { login, password, token } = await apiA.account();
        const here = record(await open(a().url, token));
        const there = record(await open(b().url, token));
        const stranger = record(await open(b().url, (await apiA.account()).token));
        const reply = await postFrom(
          '127.0.0.21',
          a().url,
          '/api/auth/login',
          { handle: login, pwd: b64(password) },
          {
            'user-agent': FIREFOX,
          },
        );
        const answered = performance.now();
        assert.equal(reply.status, 200);
        const onA = await first(here, 'sign-in.succeeded', HERE_MS);
        const onB = await first(there, 'sign-in.succeeded', ELSEWHERE_MS);
        assert.ok(onA && onB, `here: ${JSON.stringify(here)}, there: ${JSON.stringify(there)}`);
        assert.ok(onA.at - answered < HERE_MS, `${Math.round(onA.at - answered)} ms here`);
        assert.ok(onB.at - answered < ELSEWHERE_MS, `${Math.round(onB.at - answered)} ms on the other instance`);
        assert.deepEqual(
          { ...onB.payload, at: undefined },
          {
            event: 'sign-in.succeeded',
            at: undefined,
            address: '127.0.0.21',
            client: 'Firefox on Linux',
          },
        );
        assert.ok(Math.abs(Date.parse(onB.payload.at as string) - Date.now()) < 5_000);
        assert.equal(here.length, 1, 'once');
        assert.equal(there.length, 1, 'once');
        assert.deepEqual(stranger, []);
      },
    );

    it(
      'sends at most one sign-in.failed per account and address a minute, across instances',
      TEST_TIMEOUT,
      async () => {
        const { login, token } = await apiA.account(uniqueLogin('fail'));
        const heard = record(await open(b().url, token));
        const wrong = (url: string, address: string) =>
          postFrom(address, url, '/api/auth/login', { handle: login, pwd: b64('not-the-password') });
        for (const url of [a().url, b().url, a().url, b().url])
          assert.equal((await wrong(url, '127.0.0.22')).status, 401);
        assert.equal((await wrong(a().url, '127.0.0.23')).status, 401);
        await first(heard, 'sign-in.failed', ELSEWHERE_MS);
        await new Promise((resolve) => setTimeout(resolve, ELSEWHERE_MS));
        assert.deepEqual(
          heard.map((h) => [h.payload.event, h.payload.address]),
          [
            ['sign-in.failed', '127.0.0.22'],
            ['sign-in.failed', '127.0.0.23'],
          ],
        );
      },
    );

    it(
      "sends an owner's command's event to the sockets of every instance within 1.5 s of its exit",
      TEST_TIMEOUT,
      async () => {
        const { login, token } = await apiA.account();
        const onA = record(await open(a().url, token));
        const onB = record(await open(b().url, token));
        const run = await runCli(['recovery-code', login], {
          DATABASE_URL: db().url,
          REDIS_URL: redis.url,
          REDIS_PREFIX: prefix,
        });
        assertSucceeded(run);
        for (const heard of [onA, onB]) {
          const got = await first(heard, 'recovery-code.issued', ELSEWHERE_MS);
          assert.ok(got, 'no security event');
          assert.ok(got.at - run.endedAt < ELSEWHERE_MS, `${Math.round(got.at - run.endedAt)} ms after the exit`);
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.deepEqual([onA.length, onB.length], [1, 1], 'once on each instance');
      },
    );
  });
});
