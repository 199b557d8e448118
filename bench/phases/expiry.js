'use strict';
/*
 * Deleting a backlog of expired tokens. `rows` expired token rows (a hundred to an account, as
 * tokens of many accounts expire over time) are seeded directly in SQL; then the service's own
 * sweeper (src/tokens/expired-token-sweeper.ts, every TOKEN_SWEEP_INTERVAL) deletes them, as it
 * would after an outage or on a first start with an old table. Meanwhile GET /api/auth/me with
 * the hot token runs at a fixed rate: deleting must not slow the service down.
 * Measured: rows deleted per second from the end of seeding until the backlog is gone (or the
 * phase's bound: then the rate so far and the projected time), and the probe's p99.
 * The sweeper starts on the rows while they are being seeded: those count in the seeding time.
 */
const { pacedProbe } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { accountIdRange, passwordHashOf, seedAccounts, seedTokens } = require('../lib/seed');
const { fmt, sleep } = require('../lib/stats');
const { histogram, histogramDelta, sample, scrape, upperBound } = require('../lib/prometheus');

const ACCOUNT_PREFIX = 'expacct';
const TOKEN_PREFIX = 'exptok';
const TOKENS_PER_ACCOUNT = 100;
const HOUR_MS = 3_600_000;

const settings = {
  smoke: { rows: 1e3, rate: 20, connections: 2, quietSeconds: 1, maxSeconds: 30, pollMs: 250 },
  full: { rows: 1e6, rate: 200, connections: 10, quietSeconds: 20, maxSeconds: 180, pollMs: 2000 },
};

const rows = [
  { key: 'expiry-rate', figure: 'expired-token deletion', goal: 'reported' },
  { key: 'expiry-p99', figure: 'p99 of /api/auth/me during deletion', goal: '≤ 20 ms' },
];

/** The seeded rows still in the table (they all expired at `expiresAt`). */
async function remaining(db, expiresAt) {
  const param = db.engine === 'postgres' ? '$1' : '?';
  const [row] = await db.sql(`SELECT COUNT(*) AS c FROM tokens WHERE expires_at = ${param}`, [expiresAt], 60_000);
  return Number(row.c);
}

async function seed(ctx, s, expiresAt) {
  const t0 = performance.now();
  const accounts = Math.max(1, Math.ceil(s.rows / TOKENS_PER_ACCOUNT));
  const passwordHash = await passwordHashOf(ctx.db, ctx.accounts[0].handle);
  await seedAccounts(ctx.db, { prefix: ACCOUNT_PREFIX, first: 0, count: accounts, passwordHash });
  const firstAccountId = await accountIdRange(ctx.db, ACCOUNT_PREFIX, 0, accounts);
  await seedTokens(ctx.db, {
    prefix: TOKEN_PREFIX,
    first: 0,
    count: s.rows,
    firstAccountId,
    accounts,
    createdAt: expiresAt - 30 * 24 * HOUR_MS,
    expiresAt,
  });
  return { accounts, seconds: (performance.now() - t0) / 1000 };
}

/** Polls the count until it is 0 or the bound; returns the samples [seconds since t0, rows left]. */
async function watch(ctx, s, expiresAt, t0, deadline) {
  const samples = [];
  for (;;) {
    const left = await remaining(ctx.db, expiresAt);
    samples.push([(performance.now() - t0) / 1000, left]);
    if (left === 0 || Date.now() >= deadline) return samples;
    await sleep(s.pollMs);
  }
}

/** GET /api/auth/me with the hot token at the phase's fixed rate, for `seconds` or until `until` settles. */
const probe = (ctx, s, seconds, until) =>
  pacedProbe({
    url: `${ctx.baseUrl}/api/auth/me`,
    headers: { authentication: `Bearer ${ctx.hotToken}` },
    connections: s.connections,
    rate: s.rate,
    seconds,
    until,
  });

const describeProbe = (r) =>
  `p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms over ${r.seconds} s, ${fmt(r.ok)} answered`;

async function expiry(ctx, s) {
  // The same probe with nothing to delete first: what the machine gives at the moment.
  const quietOpened = await loopWindow(ctx);
  const quiet = await probe(ctx, s, s.quietSeconds);
  const quietLoop = await loopWindow(ctx);
  const expiresAt = Date.now() - HOUR_MS;
  const seeded = await seed(ctx, s, expiresAt);
  const atStart = await remaining(ctx.db, expiresAt);
  ctx.log(
    `expiry: ${fmt(s.rows)} expired tokens over ${fmt(seeded.accounts)} accounts seeded in ${seeded.seconds.toFixed(1)} s (${fmt(s.rows - atStart)} already deleted); watching the sweeper for up to ${s.maxSeconds} s`,
  );
  const t0 = performance.now();
  const deadline = Date.now() + s.maxSeconds * 1000;
  const before = ctx.cpu();
  const duringOpened = await loopWindow(ctx);
  const watching = watch(ctx, s, expiresAt, t0, deadline);
  const [during, samples] = await ctx.measured(() =>
    Promise.all([probe(ctx, s, s.maxSeconds + 5, watching), watching]),
  );
  const cpu = cpuBetween(before, ctx.cpu());
  const duringLoop = await loopWindow(ctx);

  const [seconds, left] = samples[samples.length - 1];
  const deleted = atStart - left;
  // The rate counts from the last sample before the first deletion: not the wait for the sweeper's next tick.
  const firstDrop = samples.findIndex(([, n]) => n < atStart);
  const from = firstDrop > 0 ? samples[firstDrop - 1][0] : 0;
  const rate = deleted > 0 ? deleted / (seconds - from) : 0;
  const notes = [
    `${fmt(s.rows)} expired rows, ${TOKENS_PER_ACCOUNT} to an account, seeded in ${seeded.seconds.toFixed(1)} s (the sweeper deleted ${fmt(s.rows - atStart)} of them meanwhile); the service's TOKEN_SWEEP_INTERVAL: ${ctx.serviceEnv.TOKEN_SWEEP_INTERVAL ?? 'default (10s)'}`,
    left === 0
      ? `all ${fmt(atStart)} left after seeding were gone ${seconds.toFixed(1)} s later (the first deletion seen after ${from.toFixed(1)} s): ${fmt(rate)} rows/s`
      : `after ${seconds.toFixed(1)} s ${fmt(left)} of ${fmt(atStart)} were left: ${fmt(rate)} rows/s so far, ${rate > 0 ? fmt(left / rate) : '∞'} s more projected`,
    `rows left over time (s: rows): ${thin(samples, 12)
      .map(([t, n]) => `${t.toFixed(0)}: ${fmt(n)}`)
      .join(', ')}`,
    `during deletion: ${describeCpu(cpu, ctx.cores)}`,
  ];
  ctx.record('expiry-rate', `${fmt(rate)} rows/s${left === 0 ? '' : ' (unfinished)'}`, null, notes);
  const bad = during.non2xx + during.errors + during.timeouts;
  ctx.record('expiry-p99', `${during.p99} ms`, during.p99 <= 20 && bad === 0 && deleted > 0, [
    `GET /api/auth/me (hot token) at ${s.rate}/s from ${s.connections} connections: during deletion ${describeProbe(during)}${bad ? `; ${bad} unexpected statuses, errors or timeouts` : ''}`,
    `the same before seeding, with nothing to delete: ${describeProbe(quiet)}`,
    `the service's event-loop delay beyond its 10 ms sampling tick (prom-client's monitorEventLoopDelay): during deletion p99 ${fmt(duringLoop.p99, 1)} ms, max ${fmt(duringLoop.max, 1)} ms; before seeding p99 ${fmt(quietLoop.p99, 1)} ms, max ${fmt(quietLoop.max, 1)} ms`,
    `garbage-collection pauses over 10 ms: during deletion ${longPauses(duringOpened, duringLoop)}; before seeding ${longPauses(quietOpened, quietLoop)}`,
  ]);
}

const LAG_RESOLUTION_MS = 10;

/**
 * What the service's event loop went through since the previous scrape, from its own metrics:
 * prom-client's event-loop delay (a monitorEventLoopDelay histogram, reset at every scrape) and
 * its garbage-collection pauses by kind. Scrape once to open the window, once to close it.
 */
async function loopWindow(ctx) {
  const text = await scrape(ctx.metricsUrl);
  // Each sample is the whole time between two ticks of a 10 ms timer (prom-client's default
  // eventLoopMonitoringPrecision), so an idle loop reads about 10 ms: the delay is the rest.
  const lagMs = (stat) => sample(text, `nodejs_eventloop_lag_${stat}_seconds`) * 1000 - LAG_RESOLUTION_MS;
  return { p99: lagMs('p99'), max: lagMs('max'), text };
}

/** GC pauses over 10 ms between two loopWindow readings, by kind, with the bucket of the longest. */
function longPauses(before, after) {
  const parts = [];
  for (const kind of ['major', 'minor', 'incremental', 'weakcb']) {
    const series = (w) => histogram(w.text, 'nodejs_gc_duration_seconds', `kind="${kind}"`);
    const gained = histogramDelta(series(before), series(after));
    const upTo10ms = gained.buckets.find(([le]) => le === 0.01)?.[1] ?? 0;
    if (gained.count > upTo10ms) parts.push(`${kind} ${gained.count - upTo10ms} (longest ≤ ${upperBound(gained)} s)`);
  }
  return parts.length ? parts.join(', ') : 'none';
}

/** At most `n` samples, evenly chosen, the last one kept. */
function thin(samples, n) {
  if (samples.length <= n) return samples;
  const step = (samples.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => samples[Math.round(i * step)]);
}

module.exports = { name: 'expiry', rows, settings, run: expiry };
