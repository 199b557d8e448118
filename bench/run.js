#!/usr/bin/env node
'use strict';
/*
 * Gatehouse benchmark (issue 6). Starts the built service (dist/main.js) on a MariaDB (default)
 * or PostgreSQL database of its own, drives it from this process over 127.0.0.1 and prints one
 * table: figure | value | goal | met. Every load is bounded in count and in time.
 *
 *   npm run bench [-- --db mariadb|postgres]
 *
 * Environment (all optional):
 *   BENCH_SMOKE=1            every phase tiny: proves the script works, measures nothing
 *   BENCH_ONLY=a,b           run only these phases: auth, signin, fairness, memory, handshakes, revocation, instances
 *   BENCH_REDIS_URL          Redis for the two-instance phase (default redis://127.0.0.1:6379; keys under a prefix of its own)
 *   BENCH_MARIADB_URL        server to use with --db mariadb (default mysql://root@127.0.0.1:3306)
 *   BENCH_POSTGRES_URL       server to use with --db postgres (default postgres://postgres@127.0.0.1:5432)
 *   BENCH_DATABASE           database to drop, create and use (default gatehouse_bench)
 *   BENCH_KEEP_DATABASE=1    leave the database in place at the end
 *   BCRYPT_COST              cost for the service and for the reference hash (default 10)
 *   BENCH_SERVICE_ENTRY      the service's entry script (default dist/main.js)
 *   BENCH_SERVICE_LOG=path   write the service's whole output there
 *   BENCH_CPU_PROFILE=dir    profile the service's main thread into dir/service-<pid>-<n>.cpuprofile:
 *                            the whole run, or only the measured part of the phase named by
 *                            BENCH_CPU_PROFILE_PHASE (one of the BENCH_ONLY names)
 */
const os = require('node:os');
const { mkdirSync, existsSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { randomBytes } = require('node:crypto');
const bcrypt = require('bcryptjs');
const {
  BenchDatabase,
  ServiceProcess,
  freePort,
  openFileLimit,
  serviceEntry,
  describeExit,
  cpuSample,
  cpuBetween,
  describeCpu,
} = require('./service');
const { PgBenchDatabase } = require('./pg-database');
const { Api, cannon, signInStorm, agent } = require('./http-load');
const { openSockets, closeAll } = require('./sockets');
const { percentile, median, fmt, sleep } = require('./stats');
const { twoInstances } = require('./instances');

const ROOT = resolve(__dirname, '..');
const SMOKE = process.env.BENCH_SMOKE === '1';
/** The whole run may not take longer than this, whatever happens. */
const OVERALL_LIMIT_MS = SMOKE ? 3 * 60_000 : 30 * 60_000;

const SETTINGS = SMOKE
  ? {
      http: { connections: 4, roundSeconds: 1, rounds: 1, warmupSeconds: 1 },
      signIn: { perCore: 4, rounds: 1, hashesPerRound: 3, maxCount: 12, maxSeconds: 15 },
      fairness: { rate: 20, connections: 2, seconds: 1, leadMs: 200, stormMaxCount: 24 },
      memory: { count: 30, concurrency: 10, maxSeconds: 20, settleMs: 200 },
      handshakes: { count: 20, hotCount: 10, warmup: 10, tokens: 5, concurrency: 10, maxSeconds: 20 },
      socketTokens: 5,
      revocation: { count: 5, maxSeconds: 30, timeoutMs: 5000 },
      instances: { sockets: 20, revocations: 5, broadcasts: 3, maxSeconds: 30, timeoutMs: 5000 },
    }
  : {
      http: { connections: 50, roundSeconds: 5, rounds: 2, warmupSeconds: 2 },
      signIn: { perCore: 4, rounds: 3, hashesPerRound: 3, maxCount: 450, maxSeconds: 30 },
      fairness: { rate: 200, connections: 10, seconds: 10, leadMs: 1000, stormMaxCount: 2000 },
      memory: { count: 5000, concurrency: 100, maxSeconds: 180, settleMs: 3000 },
      handshakes: { count: 2000, hotCount: 1000, warmup: 200, tokens: 200, concurrency: 100, maxSeconds: 60 },
      // At least this many distinct tokens behind the sockets (the sign-in phases issue more).
      socketTokens: 100,
      revocation: { count: 200, maxSeconds: 120, timeoutMs: 5000 },
      instances: { sockets: 2000, revocations: 200, broadcasts: 20, maxSeconds: 180, timeoutMs: 5000 },
    };

/** `--db mariadb` (default) or `--db postgres`: which server the service runs on. */
const ENGINES = {
  mariadb: {
    label: 'MariaDB',
    server: process.env.BENCH_MARIADB_URL || 'mysql://root@127.0.0.1:3306',
    open: (server, name) => new BenchDatabase(server, name),
    // mariadb:// selects TypeORM's MariaDB dialect (src/config/config.ts).
    serviceUrl: (url) => url.replace(/^mysql:/, 'mariadb:'),
  },
  postgres: {
    label: 'PostgreSQL',
    server: process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432',
    open: (server, name) => new PgBenchDatabase(server, name),
    serviceUrl: (url) => url,
  },
};
const dbFlag = process.argv.indexOf('--db');
const engineName = dbFlag === -1 ? 'mariadb' : process.argv[dbFlag + 1];
if (!(engineName in ENGINES)) {
  console.error(`bench: --db must be one of ${Object.keys(ENGINES).join(', ')}`);
  process.exit(2);
}
const ENGINE = ENGINES[engineName];

const PHASES = ['auth', 'signin', 'fairness', 'memory', 'handshakes', 'revocation', 'instances'];
const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
for (const name of only) {
  if (!PHASES.includes(name)) {
    console.error(`bench: unknown phase "${name}" in BENCH_ONLY (phases: ${PHASES.join(', ')})`);
    process.exit(1);
  }
}
const wanted = (phase) => only.length === 0 || only.includes(phase);

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

/** The table, in the order of issue 6. Each phase fills in its rows. */
const ROWS = [
  { key: 'auth', figure: 'auth overhead', goal: '≥ 0.85' },
  { key: 'signin', figure: 'sign-in throughput', goal: '≥ 0.85' },
  { key: 'fairness', figure: 'fairness', goal: '≤ 30 ms' },
  { key: 'handshakes', figure: 'handshakes', goal: '≥ 1,000/s' },
  { key: 'memory', figure: 'socket memory', goal: '≤ 30 KB' },
  { key: 'revocation', figure: 'revocation', goal: '≤ 20 / 100 ms' },
  { key: 'writes', figure: 'database writes', goal: '0' },
  { key: 'cross-revocation', figure: 'revocation A → B', goal: '≤ 500 ms (p99)' },
  { key: 'cross-broadcast', figure: 'room broadcast A → B', goal: 'every delivery' },
];
const row = (key) => ROWS.find((r) => r.key === key);

function record(key, value, met, notes = []) {
  Object.assign(row(key), { value, met: met ? 'yes' : 'no', notes });
}

function randomPassword() {
  return randomBytes(12).toString('base64url');
}

// ---------------------------------------------------------------------------------------------
// Phases

/** Auth overhead, and database writes over the same steady-state window of /api/auth/me. */
async function authOverhead(ctx) {
  const s = SETTINGS.http;
  const health = { url: `${ctx.baseUrl}/health` };
  const me = { url: `${ctx.baseUrl}/api/auth/me`, headers: { authentication: `Bearer ${ctx.hotToken}` } };
  log(`auth overhead: warm-up ${s.warmupSeconds} s each`);
  await cannon({ ...health, connections: s.connections, seconds: s.warmupSeconds });
  await cannon({ ...me, connections: s.connections, seconds: s.warmupSeconds });

  await ctx.db.startCountingWrites();
  const globalBefore = await ctx.db.globalWriteCounters();
  const runs = { health: [], me: [] };
  const cpu = { health: [], me: [] };
  const measured = async (kind, options) => {
    const before = ctx.cpu();
    runs[kind].push(
      await ctx.measured(() => cannon({ ...options, connections: s.connections, seconds: s.roundSeconds })),
    );
    cpu[kind].push(cpuBetween(before, ctx.cpu()));
  };
  // Alternating rounds, so that a change in the machine's other load hits both sides alike.
  for (let round = 0; round < s.rounds; round++) {
    log(
      `auth overhead: round ${round + 1}/${s.rounds}: GET /health, then GET /api/auth/me, ${s.roundSeconds} s each, ${s.connections} connections`,
    );
    await measured('health', health);
    await measured('me', me);
  }
  const globalAfter = await ctx.db.globalWriteCounters();
  const written = await ctx.db.stopCountingWrites();

  const total = (list) => {
    const ok = list.reduce((n, r) => n + r.ok, 0);
    const seconds = list.reduce((n, r) => n + r.seconds, 0);
    const bad = list.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
    return { ok, seconds, rps: ok / seconds, bad, p99: Math.max(...list.map((r) => r.p99)) };
  };
  const h = total(runs.health);
  const m = total(runs.me);
  const ratio = m.rps / h.rps;
  const notes = [
    `GET /api/auth/me ${fmt(m.rps)} rps (p99 ${m.p99} ms), GET /health ${fmt(h.rps)} rps (p99 ${h.p99} ms); ${s.connections} connections, ${s.rounds}×${s.roundSeconds} s each, alternating`,
    'GET /health runs SELECT 1 on the database for every request; /api/auth/me on a hot token runs none',
    `during /api/auth/me (last round): ${describeCpu(cpu.me.at(-1), ctx.cores)}`,
    `during /health (last round): ${describeCpu(cpu.health.at(-1), ctx.cores)}`,
  ];
  if (m.bad + h.bad > 0) notes.push(`failed or non-2xx responses: /api/auth/me ${m.bad}, /health ${h.bad}`);
  record('auth', ratio.toFixed(2), ratio >= 0.85 && m.bad + h.bad === 0, notes);

  const rowWrites = written.reduce((n, w) => n + w.rows, 0);
  const perRequest = rowWrites / m.ok;
  const globalDelta = Object.fromEntries(
    Object.keys(globalAfter).map((k) => [k, globalAfter[k] - (globalBefore[k] ?? 0)]),
  );
  const globalTotal = Object.values(globalDelta).reduce((a, b) => a + b, 0);
  record('writes', rowWrites === 0 ? '0' : perRequest.toPrecision(2), rowWrites === 0 && m.ok > 0, [
    `${rowWrites} rows written to accounts/tokens of ${ctx.db.name} (counted by triggers) during ${fmt(m.ok)} authenticated requests${
      written.length ? ` (${written.map((w) => `${w.table} ${w.op} ${w.rows}`).join(', ')})` : ''
    }`,
    `server-wide ${Object.entries(globalDelta)
      .map(([k, v]) => `${k} +${v}`)
      .join(', ')} in the same window (${
      globalTotal === 0 ? 'none' : 'includes every other client of the shared server'
    }; ${(globalTotal / m.ok).toPrecision(2)} per request at most)`,
  ]);
}

/**
 * Times bcryptjs hashes at the service's cost on this thread: wall time (the figure's
 * reference) and CPU time (what a hash costs whatever else the machine is doing), in ms.
 */
function timeHashes(cost, samples) {
  // The service hashes a 44-character digest of the password (password-hash.ts); so does this.
  const input = randomBytes(33).toString('base64');
  const wall = [];
  const cpu = [];
  for (let i = 0; i < samples; i++) {
    const salt = bcrypt.genSaltSync(cost);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    bcrypt.hashSync(input, salt);
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

/**
 * Sign-in throughput against the machine's bcrypt capacity. The reference hashes are timed
 * between storm rounds, so that both sides of the ratio see the machine's load alike.
 */
async function signInThroughput(ctx) {
  const s = SETTINGS.signIn;
  const concurrency = s.perCore * ctx.cores;
  const hashes = { wall: [], cpu: [] };
  timeHashes(ctx.cost, 1); // warm-up, not counted
  // Warm-up: a couple of sign-ins per worker thread, not counted.
  await signInStorm(ctx.api, {
    accounts: ctx.accounts,
    concurrency: ctx.cores,
    maxCount: 2 * ctx.cores,
    keepGoing: () => true,
    onToken: ctx.addToken,
  });
  const total = { ok: 0, busy: 0, failed: 0, failures: [], seconds: 0 };
  const cpuBefore = ctx.cpu();
  const stormCpuSeconds = { main: 0, other: 0 };
  for (let round = 0; round < s.rounds; round++) {
    const timed = timeHashes(ctx.cost, s.hashesPerRound);
    hashes.wall.push(...timed.wall);
    hashes.cpu.push(...timed.cpu);
    const deadline = Date.now() + (s.maxSeconds / s.rounds) * 1000;
    log(
      `sign-in: round ${round + 1}/${s.rounds}: up to ${s.maxCount / s.rounds} sign-ins or ${s.maxSeconds / s.rounds} s, ${concurrency} at a time`,
    );
    const before = ctx.cpu();
    const storm = await ctx.measured(() =>
      signInStorm(ctx.api, {
        accounts: ctx.accounts,
        concurrency,
        maxCount: s.maxCount / s.rounds,
        keepGoing: () => Date.now() < deadline,
        onToken: ctx.addToken,
      }),
    );
    const used = cpuBetween(before, ctx.cpu());
    if (used) {
      stormCpuSeconds.main += used.serviceMainSeconds;
      stormCpuSeconds.other += used.serviceOtherSeconds;
    }
    total.ok += storm.ok;
    total.busy += storm.busy;
    total.failed += storm.failed;
    total.failures.push(...storm.failures);
    total.seconds += storm.seconds;
  }
  const cpu = cpuBetween(cpuBefore, ctx.cpu());
  const hashMs = median(hashes.wall);
  const hashCpuMs = median(hashes.cpu);
  const rate = total.ok / total.seconds;
  const ideal = ctx.cores / (hashMs / 1000);
  const ratio = rate / ideal;
  const notes = [
    `${fmt(total.ok)} sign-ins in ${total.seconds.toFixed(1)} s = ${rate.toFixed(1)}/s; ideal ${ctx.cores} cores ÷ ${hashMs.toFixed(1)} ms = ${ideal.toFixed(1)}/s; ${concurrency} concurrent clients, ${s.rounds} rounds`,
    `reference hash at cost ${ctx.cost}, median of ${hashes.wall.length} taken between the rounds: ${hashMs.toFixed(1)} ms wall, ${hashCpuMs.toFixed(1)} ms CPU (all samples, wall: ${hashes.wall.map((t) => t.toFixed(0)).join(', ')})`,
    `over the whole phase, ${describeCpu(cpu, ctx.cores)}`,
  ];
  if (cpu && total.ok > 0) {
    notes.push(
      `service CPU per sign-in during the rounds: ${((stormCpuSeconds.other * 1000) / total.ok).toFixed(1)} ms on other threads (the bcrypt pool), ${((stormCpuSeconds.main * 1000) / total.ok).toFixed(1)} ms on the main thread; at ${hashCpuMs.toFixed(1)} ms CPU per hash, ${ctx.cores} free cores would allow ${(ctx.cores / (hashCpuMs / 1000)).toFixed(1)}/s`,
    );
  }
  if (total.busy || total.failed)
    notes.push(`503 busy: ${total.busy}, other failures: ${total.failed} ${total.failures.slice(0, 5).join('; ')}`);
  record('signin', ratio.toFixed(2), ratio >= 0.85 && total.failed === 0, notes);
}

async function fairness(ctx) {
  const s = SETTINGS.fairness;
  const concurrency = SETTINGS.signIn.perCore * ctx.cores;
  let cannonDone = false;
  const hardDeadline = Date.now() + s.leadMs + s.seconds * 1000 + 30_000;
  log(`fairness: sign-in storm (${concurrency} at a time) with GET /api/auth/me at ${s.rate}/s for ${s.seconds} s`);
  const storm = signInStorm(ctx.api, {
    accounts: ctx.accounts,
    concurrency,
    maxCount: s.stormMaxCount,
    keepGoing: () => !cannonDone && Date.now() < hardDeadline,
    onToken: ctx.addToken,
  });
  // Let the hashing pool fill up before measuring.
  await sleep(s.leadMs);
  let probe;
  const cpuBefore = ctx.cpu();
  try {
    probe = await ctx.measured(() =>
      cannon({
        url: `${ctx.baseUrl}/api/auth/me`,
        headers: { authentication: `Bearer ${ctx.hotToken}` },
        connections: s.connections,
        overallRate: s.rate,
        seconds: s.seconds,
      }),
    );
  } finally {
    cannonDone = true;
  }
  const cpu = cpuBetween(cpuBefore, ctx.cpu());
  const stormResult = await storm;
  const bad = probe.non2xx + probe.errors + probe.timeouts;
  const notes = [
    `GET /api/auth/me at ${s.rate}/s: ${fmt(probe.ok)} answered, p50 ${probe.p50} ms, p99 ${probe.p99} ms, max ${probe.max} ms`,
    `storm: ${fmt(stormResult.ok)} sign-ins in ${stormResult.seconds.toFixed(1)} s (${stormResult.rate.toFixed(1)}/s), 503 busy ${stormResult.busy}, other failures ${stormResult.failed}`,
    describeCpu(cpu, ctx.cores),
  ];
  if (bad > 0) notes.push(`failed or non-2xx /api/auth/me responses: ${bad}`);
  if (stormResult.ok === 0) notes.push('no sign-in completed during the window: the storm did not run');
  record('fairness', `${probe.p99} ms`, probe.p99 <= 30 && bad === 0 && stormResult.ok > 0, notes);
}

/** Enough distinct tokens for the socket phases; signs in for more when the pool is short. */
async function ensureTokens(ctx, n) {
  const deadline = Date.now() + 120_000;
  if (ctx.tokens.length >= n) return;
  log(`signing in for ${n - ctx.tokens.length} more tokens`);
  const storm = await signInStorm(ctx.api, {
    accounts: ctx.accounts,
    concurrency: SETTINGS.signIn.perCore * ctx.cores,
    maxCount: n - ctx.tokens.length,
    keepGoing: () => Date.now() < deadline,
    onToken: ctx.addToken,
  });
  if (ctx.tokens.length < n) {
    throw new Error(
      `only ${ctx.tokens.length} of ${n} tokens could be issued (${storm.busy} busy, ${storm.failed} failed: ${storm.failures.join('; ')})`,
    );
  }
}

async function rssSample(ctx) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(SMOKE ? 50 : 500);
    samples.push(ctx.service.rssKiB());
  }
  return median(samples);
}

async function socketMemory(ctx) {
  const s = SETTINGS.memory;
  const limit = openFileLimit();
  let count = s.count;
  const notes = [];
  // Each socket takes one descriptor in the service and one here; keep a margin for the rest.
  if (Number.isFinite(limit) && count + 512 > limit) {
    count = Math.max(0, limit - 512);
    notes.push(`open-file limit ${limit} (ulimit -n): measured at ${count} sockets instead of ${s.count}`);
  }
  await ensureTokens(ctx, SETTINGS.socketTokens);
  // The growth is taken between two stages that both hold sockets (a fifth of them, then all),
  // so that garbage left by earlier phases and collected meanwhile, and the one-time cost of the
  // first sockets (code, buffers, maps), do not count: what remains is the cost of one more socket.
  const first = Math.max(1, Math.floor(count / 5));
  const open = (n) =>
    openSockets(ctx.baseUrl, {
      tokens: ctx.tokens,
      count: n,
      concurrency: s.concurrency,
      deadline: Date.now() + s.maxSeconds * 1000,
    });
  const stage1 = await open(first);
  const sockets = [...stage1.sockets];
  try {
    await sleep(s.settleMs);
    const before = await rssSample(ctx);
    log(
      `socket memory: service RSS ${fmt(before)} KiB with ${fmt(stage1.sockets.length)} sockets; opening ${fmt(count - first)} more, ${s.concurrency} handshakes at a time`,
    );
    const cpuBefore = ctx.cpu();
    const opened = await ctx.measured(() => open(count - first));
    sockets.push(...opened.sockets);
    const cpu = cpuBetween(cpuBefore, ctx.cpu());
    await sleep(s.settleMs);
    const connected = sockets.filter((sock) => sock.connected).length;
    const added = opened.sockets.filter((sock) => sock.connected).length;
    const after = await rssSample(ctx);
    const perSocket = added > 0 ? (after - before) / added : Number.NaN;
    notes.unshift(
      `service RSS ${fmt(before)} KiB with ${fmt(stage1.sockets.length)} sockets open, ${fmt(after)} KiB with ${fmt(connected)} (${fmt(ctx.tokens.length)} tokens shared round-robin); growth ÷ ${fmt(added)} added sockets; KB = KiB`,
    );
    notes.push(
      `opening the ${fmt(added)} took ${opened.seconds.toFixed(1)} s (${fmt(added / opened.seconds)}/s); ${describeCpu(cpu, ctx.cores)}`,
    );
    const failures = [...stage1.failures, ...opened.failures];
    if (failures.length > 0 || connected < count)
      notes.push(`wanted ${count}, connected ${connected}; refused: ${failures.join(', ') || 'none'}`);
    record('memory', `${perSocket.toFixed(1)} KB`, perSocket <= 30 && connected === count, notes);
  } finally {
    closeAll(sockets);
  }
  await sleep(SMOKE ? 200 : 2000);
  log(`socket memory: service RSS ${fmt(ctx.service.rssKiB())} KiB after closing them`);
}

/** Opens `count` sockets over `tokens` and closes them again: rate, refusals and CPU per handshake. */
async function handshakeRun(ctx, tokens, count, concurrency, maxSeconds, measured = (fn) => fn()) {
  const cpuBefore = ctx.cpu();
  const opened = await measured(() =>
    openSockets(ctx.baseUrl, { tokens, count, concurrency, deadline: Date.now() + maxSeconds * 1000 }),
  );
  const cpu = cpuBetween(cpuBefore, ctx.cpu());
  const ok = opened.sockets.length;
  closeAll(opened.sockets);
  const perHandshake =
    cpu && ok > 0
      ? `CPU per handshake: service main thread ${((cpu.serviceMainSeconds * 1000) / ok).toFixed(2)} ms, service other threads ${((cpu.serviceOtherSeconds * 1000) / ok).toFixed(2)} ms, bench (client) ${((cpu.bench * cpu.wall * 1000) / ok).toFixed(2)} ms`
      : 'CPU per handshake not available';
  await sleep(SMOKE ? 200 : 2000); // let the service finish the closes before anything else is measured
  return { ok, rate: ok / opened.seconds, seconds: opened.seconds, failures: opened.failures, cpu, perHandshake };
}

async function handshakes(ctx) {
  const s = SETTINGS.handshakes;
  await ensureTokens(ctx, s.tokens);
  const tokens = ctx.tokens.slice(0, s.tokens);
  // Not counted: brings the socket code paths of both sides up to speed when this phase runs alone.
  await handshakeRun(ctx, tokens, s.warmup, s.concurrency, s.maxSeconds);
  log(`handshakes: opening ${fmt(s.count)} sockets over ${tokens.length} tokens, ${s.concurrency} at a time`);
  const main = await handshakeRun(ctx, tokens, s.count, s.concurrency, s.maxSeconds, ctx.measured);
  log(`handshakes: opening ${fmt(s.hotCount)} sockets on one hot token, for comparison`);
  const hot = await handshakeRun(ctx, [ctx.hotToken], s.hotCount, s.concurrency, s.maxSeconds);
  const notes = [
    `${fmt(main.ok)} authenticated connections in ${main.seconds.toFixed(2)} s over ${tokens.length} distinct tokens (round-robin), ${s.concurrency} handshakes in flight, websocket transport`,
    `${main.perHandshake}; ${describeCpu(main.cpu, ctx.cores)}`,
    `for comparison, ${fmt(hot.ok)} connections all on one hot token (every check a cache hit): ${fmt(hot.rate)}/s; ${hot.perHandshake}; ${describeCpu(hot.cpu, ctx.cores)}`,
  ];
  if (main.ok < s.count)
    notes.push(`wanted ${s.count}, opened ${main.ok}; refused: ${main.failures.join(', ') || 'none'}`);
  if (hot.ok < s.hotCount)
    notes.push(`hot-token run: wanted ${s.hotCount}, opened ${hot.ok}; refused: ${hot.failures.join(', ') || 'none'}`);
  record('handshakes', `${fmt(main.rate)}/s`, main.rate >= 1000 && main.ok === s.count, notes);
}

async function revocation(ctx) {
  const s = SETTINGS.revocation;
  await ensureTokens(ctx, s.count);
  // These tokens are revoked here: take them out of the pool.
  const tokens = ctx.tokens.splice(0, s.count);
  const deadline = Date.now() + s.maxSeconds * 1000;
  const opened = await openSockets(ctx.baseUrl, { tokens, count: s.count, concurrency: 20, deadline });
  const clients = opened.sockets.map((socket, i) => ({ socket, token: socket.auth.token, i }));
  log(`revocation: ${clients.length} sockets, each on its own token; invalidating one at a time`);
  const toDisconnect = [];
  const toRevokedEvent = [];
  let missed = 0;
  const badStatus = [];
  try {
    for (const { socket, token } of clients) {
      if (Date.now() >= deadline) break;
      let revokedAt = null;
      socket.once('revoked', () => {
        revokedAt = performance.now();
      });
      const disconnected = new Promise((resolveDisconnect) => {
        const timer = setTimeout(() => resolveDisconnect(null), s.timeoutMs);
        socket.once('disconnect', () => {
          clearTimeout(timer);
          resolveDisconnect(performance.now());
        });
      });
      const t0 = performance.now();
      const res = await ctx.api.invalidate(token);
      if (res.status !== 200) badStatus.push(res.status);
      const at = await disconnected;
      if (at === null) {
        missed++;
      } else {
        toDisconnect.push(at - t0);
        if (revokedAt !== null) toRevokedEvent.push(revokedAt - t0);
      }
    }
  } finally {
    closeAll(opened.sockets);
  }
  const p50 = percentile(toDisconnect, 50);
  const p99 = percentile(toDisconnect, 99);
  const notes = [
    `${toDisconnect.length} sockets: invalidate sent → 'disconnect' seen: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...toDisconnect).toFixed(1)} ms; → 'revoked' event p50 ${percentile(toRevokedEvent, 50).toFixed(1)} ms (${toRevokedEvent.length} seen)`,
  ];
  if (missed) notes.push(`${missed} sockets not disconnected within ${s.timeoutMs} ms`);
  if (badStatus.length) notes.push(`invalidate answered non-200: ${badStatus.join(', ')}`);
  if (opened.failed) notes.push(`sockets refused at connect: ${opened.failures.join(', ')}`);
  const complete = missed === 0 && badStatus.length === 0 && toDisconnect.length === s.count;
  record('revocation', `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`, complete && p50 <= 20 && p99 <= 100, notes);
}

// ---------------------------------------------------------------------------------------------
// Output

function printTable(header) {
  const lines = [];
  lines.push(...header);
  lines.push('');
  lines.push('| figure | value | goal | met |');
  lines.push('|---|---|---|---|');
  for (const r of ROWS) lines.push(`| ${r.figure} | ${r.value ?? 'not run'} | ${r.goal} | ${r.met ?? '-'} |`);
  lines.push('');
  for (const r of ROWS) {
    for (const note of r.notes ?? []) lines.push(`- ${r.figure}: ${note}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------------------------------------
// Main

let service = null;
let database = null;
let cleaning = null;

function cleanup() {
  cleaning ??= (async () => {
    closeAll();
    if (service) {
      if (profiling && service.running) await toggleProfile(service);
      await service.stop();
    }
    agent.destroy();
    if (database && process.env.BENCH_KEEP_DATABASE !== '1') {
      await Promise.race([database.drop(), sleep(10_000)]).catch((error) =>
        log(`could not drop ${database.name}: ${error.message}`),
      );
    }
  })();
  return cleaning;
}

const PROFILE_DIR = process.env.BENCH_CPU_PROFILE ? resolve(process.env.BENCH_CPU_PROFILE) : null;
const PROFILE_PHASE = process.env.BENCH_CPU_PROFILE_PHASE || null;
let profilesWritten = 0;
let profiling = false;

/** Starts or stops (and writes) the service's CPU profile; see cpu-profile.js. */
async function toggleProfile(svc) {
  process.kill(svc.pid, 'SIGWINCH');
  if (!profiling) {
    profiling = true;
    await sleep(100);
    return;
  }
  profiling = false;
  const file = join(PROFILE_DIR, `service-${svc.pid}-${++profilesWritten}.cpuprofile`);
  const deadline = Date.now() + 15_000;
  while (!existsSync(`${file}.done`) && Date.now() < deadline) await sleep(100);
  log(existsSync(`${file}.done`) ? `CPU profile of the service: ${file}` : 'the CPU profile was not written in time');
}

function exitAfterCleanup(code) {
  cleanup()
    .catch((error) => log(`cleanup failed: ${error.message}`))
    .finally(() => process.exit(code));
}

process.on('SIGINT', () => {
  log('interrupted: stopping the service');
  exitAfterCleanup(130);
});
process.on('SIGTERM', () => exitAfterCleanup(143));
process.on('exit', () => service?.killNow());

async function main() {
  const entry = serviceEntry(ROOT);
  if (!entry) {
    const wantedEntry = process.env.BENCH_SERVICE_ENTRY || join(ROOT, 'dist', 'main.js');
    console.error(
      `bench: ${relative(process.cwd(), wantedEntry) || wantedEntry} not found: run \`npm run build\` first`,
    );
    process.exit(1);
  }
  const watchdog = setTimeout(() => {
    log(`the run exceeded ${OVERALL_LIMIT_MS / 60_000} minutes: stopping`);
    exitAfterCleanup(1);
  }, OVERALL_LIMIT_MS);
  watchdog.unref();

  const cost = Number(process.env.BCRYPT_COST || 10);
  const cores = os.availableParallelism();
  const cpus = os.cpus();
  database = ENGINE.open(ENGINE.server, process.env.BENCH_DATABASE || 'gatehouse_bench');
  try {
    await database.recreate();
  } catch (error) {
    database = null;
    console.error(
      `bench: ${ENGINE.label} at ${new URL(ENGINE.server).host} is not usable (${error.code ?? error.message})`,
    );
    process.exit(1);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const nodeArgs = [];
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: ENGINE.serviceUrl(database.url),
    RATE_LIMIT_PER_MINUTE: '0',
    LOGIN_MAX_FAILURES: '1000000',
    BCRYPT_COST: String(cost),
    CORS_ORIGINS: '',
    TRUST_PROXY: '',
  };
  if (PROFILE_DIR) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    nodeArgs.push('-r', join(__dirname, 'cpu-profile.js'));
    env.BENCH_CPU_PROFILE = PROFILE_DIR;
    env.BENCH_CPU_PROFILE_AT_START = PROFILE_PHASE ? '0' : '1';
    profiling = !PROFILE_PHASE;
  }
  service = new ServiceProcess({ entry, cwd: ROOT, env, nodeArgs, logFile: process.env.BENCH_SERVICE_LOG });
  service.onUnexpectedExit = (exited) => {
    console.error(
      `bench: the service exited unexpectedly (${describeExit(exited)}); its last output:\n${service.tail.join('\n')}`,
    );
    exitAfterCleanup(1);
  };
  log(
    `starting ${relative(ROOT, entry)} on port ${port}, database ${database.name}, BCRYPT_COST ${cost}${SMOKE ? ' (smoke run)' : ''}`,
  );
  service.start();
  try {
    await service.waitReady(baseUrl);
  } catch (error) {
    console.error(`bench: ${error.message}; the service's last output:\n${service.tail.join('\n')}`);
    exitAfterCleanup(1);
    return;
  }

  const api = new Api(baseUrl);
  const tokens = [];
  const seen = new Set();
  const accounts = [];
  const stamp = Date.now().toString(36);
  // A few accounts, so that sign-ins do not all read one row; the first one's token is the hot token.
  const accountCount = SMOKE ? 2 : 4;
  let hotToken;
  for (let i = 0; i < accountCount; i++) {
    const account = { handle: `bench_${stamp}_${i}`, password: randomPassword() };
    const token = await api.register(account.handle, account.password);
    if (i === 0) hotToken = token;
    accounts.push(account);
  }
  const ctx = {
    api,
    baseUrl,
    root: ROOT,
    entry,
    /** What a further instance of the service is started with (the two-instance phase). */
    serviceEnv: env,
    ensureTokens: (n) => ensureTokens(ctx, n),
    db: database,
    service,
    cpu: () => cpuSample(service.pid),
    /** Runs the measured part of a phase, under the CPU profiler when BENCH_CPU_PROFILE_PHASE names the phase. */
    measured: async (fn) => {
      if (!PROFILE_DIR || PROFILE_PHASE !== ctx.phase) return fn();
      await toggleProfile(service);
      try {
        return await fn();
      } finally {
        await toggleProfile(service);
      }
    },
    cost,
    cores,
    accounts,
    hotToken,
    tokens,
    addToken: (token) => {
      if (!seen.has(token)) {
        seen.add(token);
        tokens.push(token);
      }
    },
  };

  const phases = [
    ['auth', authOverhead, ['auth', 'writes']],
    ['signin', signInThroughput, ['signin']],
    ['fairness', fairness, ['fairness']],
    ['memory', socketMemory, ['memory']],
    ['handshakes', handshakes, ['handshakes']],
    ['revocation', revocation, ['revocation']],
    ['instances', (c) => twoInstances(c, SETTINGS.instances, record, log), ['cross-revocation', 'cross-broadcast']],
  ];
  let failed = false;
  for (const [name, phase, keys] of phases) {
    if (!wanted(name)) {
      for (const key of keys) Object.assign(row(key), { value: 'skipped', met: '-' });
      continue;
    }
    try {
      ctx.phase = name;
      await phase(ctx);
    } catch (error) {
      failed = true;
      log(`phase ${name} failed: ${error.stack ?? error.message}`);
      for (const key of keys) {
        if (row(key).value === undefined) Object.assign(row(key), { value: `error: ${error.message}`, met: 'no' });
      }
    }
  }

  const cpuModel = cpus[0]?.model?.trim() ?? 'unknown CPU';
  printTable([
    `Gatehouse benchmark${SMOKE ? ' (SMOKE RUN: phases are tiny, the figures mean nothing)' : ''}`,
    `machine: ${cpus.length} cores (${cpuModel}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
    `service: ${relative(ROOT, entry)} on ${ENGINE.label} (${database.name}), BCRYPT_COST ${cost}, rate limits off; load from this process on 127.0.0.1`,
  ]);
  if (service.tail.some((line) => /"level":"(error|fatal)"/.test(line))) {
    log(`the service logged errors; its last output:\n${service.tail.join('\n')}`);
  }
  exitAfterCleanup(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  exitAfterCleanup(1);
});
