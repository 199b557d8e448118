'use strict';
/*
 * The two-instance phase: two services (rooms-entry.js) on the benchmark's database and one Redis
 * (BENCH_REDIS_URL, default redis://127.0.0.1:6379, under a key prefix of their own), measuring
 * - revocation A → B: a token invalidated through A's API until its socket on B sees 'disconnect';
 * - room broadcast A → B: a room event emitted on A until each of the room's sockets on B has it,
 *   with `sockets` sockets open on each instance, all in the room.
 */
const { dirname, join } = require('node:path');
const Redis = require('ioredis');
const { Api } = require('../lib/http-load');
const { ServiceProcess, freePort, openFileLimit, describeExit } = require('../lib/service');
const { openSockets, closeAll } = require('../lib/sockets');
const { percentile, fmt, sleep } = require('../lib/stats');

const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

async function startInstance(ctx, redisPrefix) {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const service = new ServiceProcess({
    entry: join(__dirname, '..', 'rooms-entry.js'),
    cwd: ctx.root,
    env: {
      ...ctx.serviceEnv,
      PORT: String(port),
      METRICS_PORT: '',
      REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      BENCH_APP_DIR: dirname(ctx.entry),
    },
  });
  service.onUnexpectedExit = (exited) =>
    ctx.log(`a bench instance exited (${describeExit(exited)}): ${service.tail.join(' | ')}`);
  service.start();
  await service.waitReady(baseUrl);
  return { service, baseUrl, api: new Api(baseUrl) };
}

/** Waits for `event` on each socket; resolves with the arrival times (NaN for a socket that got none within ms). */
function arrivals(sockets, event, ms) {
  return Promise.all(
    sockets.map(
      (socket) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            socket.off(event, got);
            resolve(Number.NaN);
          }, ms);
          const got = () => {
            clearTimeout(timer);
            resolve(performance.now());
          };
          socket.once(event, got);
        }),
    ),
  );
}

async function revocationAcross(ctx, a, b, s) {
  const tokens = ctx.tokens.splice(0, s.revocations);
  const opened = await openSockets(b.baseUrl, {
    tokens,
    count: tokens.length,
    concurrency: 20,
    deadline: Date.now() + s.maxSeconds * 1000,
  });
  const times = [];
  let missed = 0;
  try {
    for (const socket of opened.sockets) {
      const gone = arrivals([socket], 'disconnect', s.timeoutMs);
      const t0 = performance.now();
      const res = await a.api.invalidate(socket.auth.token);
      const [at] = await gone;
      if (res.status !== 200 || Number.isNaN(at)) missed++;
      else times.push(at - t0);
    }
  } finally {
    closeAll(opened.sockets);
  }
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  const notes = [
    `${times.length} sockets on B, each on its own token, invalidated one at a time through A: invalidate sent → 'disconnect' on B, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`,
  ];
  if (missed) notes.push(`${missed} not disconnected within ${s.timeoutMs} ms (or invalidate failed)`);
  ctx.record(
    'cross-revocation',
    `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`,
    missed === 0 && times.length === s.revocations && p99 <= 500,
    notes,
  );
}

async function broadcastAcross(ctx, a, b, s) {
  const deadline = Date.now() + s.maxSeconds * 1000;
  const open = (instance) =>
    openSockets(instance.baseUrl, { tokens: [ctx.hotToken], count: s.sockets, concurrency: 50, deadline });
  const onA = await open(a);
  const onB = await open(b);
  const all = [...onA.sockets, ...onB.sockets];
  const latencies = [];
  let missing = 0;
  try {
    ctx.log(
      `instances: ${onA.sockets.length} sockets on A and ${onB.sockets.length} on B in one account room; ${s.broadcasts} broadcasts from A`,
    );
    const sender = onA.sockets[0];
    for (let i = 0; i < s.broadcasts && Date.now() < deadline; i++) {
      const heard = arrivals(onB.sockets, 'bench-shout', s.timeoutMs);
      const t0 = performance.now();
      sender.emit('bench-shout', i);
      for (const at of await heard) {
        if (Number.isNaN(at)) missing++;
        else latencies.push(at - t0);
      }
      await sleep(50);
    }
  } finally {
    closeAll(all);
  }
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const notes = [
    `emit on A → arrival at each of the ${onB.sockets.length} sockets on B (the room also holds ${onA.sockets.length} on A): p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms over ${fmt(latencies.length)} deliveries`,
  ];
  if (missing) notes.push(`${missing} deliveries missing after ${s.timeoutMs} ms`);
  if (onA.failed || onB.failed) notes.push(`sockets refused: ${[...onA.failures, ...onB.failures].join(', ')}`);
  const complete = missing === 0 && onB.sockets.length === s.sockets && onA.sockets.length === s.sockets;
  ctx.record('cross-broadcast', `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`, complete, notes);
}

/** The phase itself: starts A and B, measures, stops them and removes their Redis keys. */
async function twoInstances(ctx, s) {
  const limit = openFileLimit();
  if (Number.isFinite(limit) && 2 * s.sockets + 512 > limit)
    throw new Error(`open-file limit ${limit} is too low for 2 × ${s.sockets} sockets`);
  const prefix = `gatehouse-bench:${process.pid}:${Date.now().toString(36)}:`;
  const instances = [];
  try {
    instances.push(await startInstance(ctx, prefix));
    instances.push(await startInstance(ctx, prefix));
    const [a, b] = instances;
    ctx.log(`instances: A ${a.baseUrl} and B ${b.baseUrl} on one database and ${new URL(REDIS_URL).host}`);
    await ctx.ensureTokens(s.revocations);
    await revocationAcross(ctx, a, b, s);
    await broadcastAcross(ctx, a, b, s);
  } finally {
    await Promise.all(instances.map((i) => i.service.stop()));
    await dropKeys(prefix).catch((error) =>
      ctx.log(`could not remove the Redis keys under ${prefix}: ${error.message}`),
    );
  }
}

async function dropKeys(prefix) {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const settings = {
  smoke: { sockets: 20, revocations: 5, broadcasts: 3, maxSeconds: 30, timeoutMs: 5000 },
  full: { sockets: 2000, revocations: 200, broadcasts: 20, maxSeconds: 180, timeoutMs: 5000 },
};

const rows = [
  { key: 'cross-revocation', figure: 'revocation A → B (p50 / p99)', goal: '≤ 500 ms (p99)' },
  { key: 'cross-broadcast', figure: 'room broadcast A → B (p50 / p99)', goal: 'every delivery' },
];

module.exports = { name: 'instances', rows, settings, run: twoInstances };
