'use strict';
/*
 * The soak: a long, steady, mixed load (bench/lib/soak-load.js: token checks over many distinct
 * tokens, socket churn, sign-in → socket → invalidate → drop cycles, a trickle of sign-ins),
 * with the service's memory sampled all along: its RSS, and its V8 heap after a forced full
 * collection (ctx.service.memory()). Once every cache is at its bound, the heap after GC must
 * stay flat; the figure is its growth over the last 20 minutes (over the last two thirds of a
 * run shorter than 30 minutes), taken from a least-squares line through the samples of that
 * window, so that one sample caught with a burst of requests in flight does not decide it.
 *
 * The token cache (50,000 entries, src/tokens/session-cache.ts) keeps an entry until it is read
 * again after 750 ms or pushed out by a newer one, so it fills with the distinct tokens checked:
 * the checks cycle through more seeded tokens than it holds, faster at first (the notes say when
 * it was full). Its heap settles a little after its count does: V8 rehashes a Map into a table
 * twice as large once insertions and deletions have used up the slots of the current one, so
 * about 65,500 insertions in (2^16 slots), the cache's two Maps step up once more, by about
 * 3.5 MB together, and stay there. The faster stage runs past that point.
 *
 * It runs alone, not in a full run (bench/phases/index.js):
 *
 *   npm run build
 *   BCRYPT_COST=4 BENCH_DATABASE=gatehouse_bench_soak BENCH_RESULTS=BENCHMARKS.md node bench/run.js --soak 30
 *
 * BCRYPT_COST=4 keeps the sign-ins (about 15 a second here) cheap: the soak is about memory,
 * not about hashing, and at cost 10 they would take most of a core. Add `--db postgres` for
 * PostgreSQL. BENCH_HEAP_SNAPSHOTS=dir writes a V8 heap snapshot of the service there as the
 * window opens and another at the end, for a heap profiler to compare (Chrome DevTools, Memory);
 * writing one stalls the service for seconds and adds to its RSS, so such a run's figures are
 * only for finding what grows.
 */
const { mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { knownToken, passwordHashOf, seedAccounts, accountIdOf, seedTokens } = require('../lib/seed');
const { soakLoad, Tally } = require('../lib/soak-load');
const { lineChart } = require('../lib/charts');
const { fmt, sleep } = require('../lib/stats');

const settings = {
  smoke: {
    accounts: 5,
    tokens: 2_000,
    sampleMs: 2_000,
    fillChecks: 1_000,
    fillRate: 150,
    meRate: 100,
    meLoops: 4,
    churnRate: 10,
    churnLoops: 2,
    cycleRate: 4,
    cycleLoops: 1,
    signInRate: 2,
    dropTimeoutMs: 5_000,
  },
  full: {
    accounts: 100,
    tokens: 80_000,
    sampleMs: 20_000,
    // The cache's 50,000 distinct tokens, and the step of its Maps' tables at 65,536 insertions,
    // within three minutes (if the machine keeps up); then a steadier rate, every check still
    // reading the database, as 80,000 tokens cycle through 50,000 places.
    fillChecks: 70_000,
    fillRate: 400,
    meRate: 150,
    meLoops: 8,
    churnRate: 40,
    churnLoops: 4,
    cycleRate: 10,
    cycleLoops: 2,
    signInRate: 5,
    dropTimeoutMs: 5_000,
  },
};

const rows = [
  { key: 'soak-heap', figure: 'heap after GC, growth over the last 20 minutes', goal: '≤ 2 MB' },
  { key: 'soak-rss', figure: 'RSS growth over the same window', goal: 'reported' },
  { key: 'soak-errors', figure: 'errors during the soak', goal: '0' },
];

const CACHE_BOUND = 50_000;
/** Insertions after which the cache's Maps have their final table size (see above). */
const CACHE_SETTLED = 65_536;
const GROWTH_GOAL_MB = 2;
const MB = 1024 * 1024;
const PREFIX = 'soak';
const UNKNOWN_PREFIX = 'soakx';

/** Seeds `s.accounts` accounts and `s.tokens` tokens spread over them; resolves to the tokens' plaintexts. */
async function seed(ctx, s) {
  const t0 = Date.now();
  const passwordHash = await passwordHashOf(ctx.db, ctx.accounts[0].handle);
  await seedAccounts(ctx.db, { prefix: PREFIX, first: 0, count: s.accounts, passwordHash });
  const firstAccountId = await accountIdOf(ctx.db, `${PREFIX}0`);
  const now = Date.now();
  await seedTokens(ctx.db, {
    prefix: PREFIX,
    first: 0,
    count: s.tokens,
    firstAccountId,
    accounts: s.accounts,
    createdAt: now,
    expiresAt: now + 7 * 24 * 3600_000,
  });
  ctx.log(
    `soak: seeded ${fmt(s.tokens)} tokens over ${s.accounts} accounts in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return Array.from({ length: s.tokens }, (_, i) => knownToken(PREFIX, i));
}

/** Open sockets as the service counts them (its metrics), or NaN when they cannot be read. */
async function openSockets(ctx) {
  try {
    const res = await fetch(ctx.metricsUrl, { signal: AbortSignal.timeout(5_000) });
    const match = /^gatehouse_open_sockets (\d+)/m.exec(await res.text());
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The figure's window: the last 20 minutes, or the last two thirds of a run shorter than 30. */
const windowMinutes = (total) => (total >= 30 ? 20 : (total * 2) / 3);

/** Where BENCH_HEAP_SNAPSHOTS (a folder) wants the heap snapshot `label`; undefined without it. */
function snapshotPath(ctx, label) {
  const dir = process.env.BENCH_HEAP_SNAPSHOTS;
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  return join(resolve(dir), `soak-${ctx.engine}-${label}.heapsnapshot`);
}

/** Connections open to the run's database (the service's pool, plus the benchmark's own one). */
async function databaseConnections(ctx) {
  const query =
    ctx.db.engine === 'postgres'
      ? 'SELECT COUNT(*) AS c FROM pg_stat_activity WHERE datname = $1'
      : 'SELECT COUNT(*) AS c FROM information_schema.PROCESSLIST WHERE DB = ?';
  try {
    const [row] = await ctx.db.sql(query, [ctx.db.name], 5_000);
    return Number(row.c);
  } catch {
    return Number.NaN;
  }
}

/**
 * One sample: minutes since the start, RSS, and the heap figures after a full collection, in
 * MB; with `snapshot`, the service also writes a heap snapshot there.
 */
async function sample(ctx, t0, progress, tally, snapshot) {
  const memory = await ctx.service.memory({ gc: true, snapshot });
  if (snapshot) ctx.log(`soak: heap snapshot written to ${snapshot}`);
  const point = {
    minutes: (Date.now() - t0) / 60_000,
    rss: ctx.service.rssKiB() / 1024,
    heap: memory.heapUsed / MB,
    external: memory.external / MB,
    arrayBuffers: memory.arrayBuffers / MB,
    sockets: await openSockets(ctx),
    connections: await databaseConnections(ctx),
    distinct: progress.distinct,
  };
  ctx.log(
    `soak: ${point.minutes.toFixed(2)} min: RSS ${point.rss.toFixed(1)} MB, heap after GC ${point.heap.toFixed(2)} MB ` +
      `(external ${point.external.toFixed(2)}, array buffers ${point.arrayBuffers.toFixed(2)}), ` +
      `${point.sockets} sockets open, ${point.connections} database connections, ${fmt(point.distinct)} distinct tokens checked, ${tally.errors} errors`,
  );
  return point;
}

/** Least-squares line through (x, y): its rise from the first x to the last. */
function fittedGrowth(points, key) {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.minutes, 0) / n;
  const my = points.reduce((a, p) => a + p[key], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.minutes - mx) * (p[key] - my);
    sxx += (p.minutes - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : (sxy / sxx) * (points[n - 1].minutes - points[0].minutes);
}

const signed = (mb) => `${mb >= 0 ? '+' : '−'}${Math.abs(mb).toFixed(2)} MB`;

function describeSeries(points, key) {
  const values = points.map((p) => p[key]);
  return `${values[0].toFixed(1)} → ${values[values.length - 1].toFixed(1)} MB (min ${Math.min(...values).toFixed(1)}, max ${Math.max(...values).toFixed(1)})`;
}

async function soak(ctx, s) {
  const tokens = await seed(ctx, s);
  const tally = new Tally();
  const progress = { distinct: 0 };
  const samples = [];
  const t0 = Date.now();
  const deadline = t0 + s.minutes * 60_000;
  ctx.log(`soak: ${s.minutes} minutes, a sample every ${s.sampleMs / 1000} s`);
  samples.push(await sample(ctx, t0, progress, tally));
  const load = soakLoad(ctx, s, {
    deadline,
    tokens,
    unknownToken: (n) => knownToken(UNKNOWN_PREFIX, n),
    tally,
    progress,
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  load.then(stop, stop);
  // With BENCH_HEAP_SNAPSHOTS, one snapshot as the window opens and one at the end, to compare.
  const windowStart = deadline - windowMinutes(s.minutes) * 60_000;
  let windowSnapshot = snapshotPath(ctx, 'window-start');
  for (let next = t0 + s.sampleMs; next < deadline && !stopped; next += s.sampleMs) {
    await Promise.race([sleep(Math.max(0, next - Date.now())), load]);
    if (stopped) break;
    const snapshot = Date.now() >= windowStart ? windowSnapshot : undefined;
    if (snapshot) windowSnapshot = undefined;
    samples.push(await sample(ctx, t0, progress, tally, snapshot));
  }
  await load;
  samples.push(await sample(ctx, t0, progress, tally, snapshotPath(ctx, 'end')));
  report(ctx, s, samples, tally);
}

function report(ctx, s, samples, tally) {
  const total = s.minutes;
  const span = windowMinutes(total);
  const end = samples[samples.length - 1].minutes;
  const window = samples.filter((p) => p.minutes >= end - span);
  const over =
    total >= 30
      ? 'the last 20 minutes'
      : `the last ${fmt(span, 1)} minutes (two thirds of a ${fmt(total, 2)}-minute run)`;
  const heapGrowth = fittedGrowth(window, 'heap');
  const rssGrowth = fittedGrowth(window, 'rss');
  const filled = samples.find((p) => p.distinct >= CACHE_BOUND);
  const settled = samples.find((p) => p.distinct >= CACHE_SETTLED);
  const fillNote = filled
    ? `the token cache was full (${fmt(CACHE_BOUND)} distinct tokens checked) by minute ${filled.minutes.toFixed(1)}` +
      (settled
        ? `, its tables at their final size (${fmt(CACHE_SETTLED)}) by minute ${settled.minutes.toFixed(1)}`
        : '')
    : `the token checks reached ${fmt(samples[samples.length - 1].distinct)} distinct tokens, short of the cache's ${fmt(CACHE_BOUND)}`;
  const shorter = total >= 30 ? '' : ` (last ${fmt(span, 1)} min: two thirds of the run)`;
  ctx.record('soak-heap', `${signed(heapGrowth)}${shorter}`, heapGrowth <= GROWTH_GOAL_MB, [
    `over ${over}, ${window.length} samples: heap after GC ${describeSeries(window, 'heap')}; growth from a least-squares line through them; database connections ${window[0].connections} → ${window[window.length - 1].connections}`,
    `whole run: heap after GC ${describeSeries(samples, 'heap')}, external ${describeSeries(samples, 'external')}; ${fillNote}`,
  ]);
  ctx.record('soak-rss', `${signed(rssGrowth)}${shorter}`, null, [
    `over ${over}: RSS ${describeSeries(window, 'rss')}; whole run ${describeSeries(samples, 'rss')} (RSS keeps pages the allocator has not given back, so it need not fall with the heap)`,
  ]);
  const errors = tally.errors;
  const notes = [`done: ${tally.describeDone()}`];
  if (errors > 0) notes.push(`failed: ${tally.describeFailed()}`);
  ctx.record('soak-errors', fmt(errors), errors === 0, notes);
  // The last sample comes as the last operations end, a moment after the run's length: it is
  // drawn at the end, so that the axis stops there.
  const at = (p) => Math.min(p.minutes, total);
  ctx.chart(
    `soak-${ctx.engine}.svg`,
    `Soak: service memory against time (${ctx.engine})`,
    lineChart({
      title: `Soak on ${ctx.engine === 'postgres' ? 'PostgreSQL' : 'MariaDB'}: service memory over ${fmt(total, 2)} minutes`,
      x: { label: 'minutes' },
      y: { label: 'MB' },
      series: [
        { name: 'RSS', points: samples.map((p) => [at(p), p.rss]) },
        { name: 'heap used after a full GC', points: samples.map((p) => [at(p), p.heap]) },
      ],
      note: `a sample every ${s.sampleMs / 1000} s; token cache ${filled ? `full by minute ${filled.minutes.toFixed(1)}` : 'never full'}${settled ? `, settled by minute ${settled.minutes.toFixed(1)}` : ''}`,
    }),
  );
}

module.exports = { name: 'soak', rows, settings, run: soak };
