'use strict';
/*
 * Socket memory: the service's RSS at stages on the way up to 20,000 open authenticated sockets
 * (a chart of RSS against open sockets), the growth per socket between the stage holding a fifth
 * of them and the one holding all, and, with all of them open, how long the live-socket sweeps
 * held the event loop (the service's gatehouse_socket_sweep_seconds histogram).
 *
 * The clients live in child processes (lib/socket-holder.js), each with a descriptor table of
 * its own, so that only the service's open-file limit bounds the count. The tokens are seeded in
 * SQL (lib/seed.js), spread over a few accounts, and shared round-robin by the sockets.
 */
const { openFileLimit } = require('../lib/service');
const { SocketHolder } = require('../lib/socket-holder');
const { accountIdOf, knownToken, passwordHashOf, seedAccounts, seedTokens } = require('../lib/seed');
const { histogram, histogramDelta, sample, scrape, upperBound } = require('../lib/prometheus');
const { lineChart } = require('../lib/charts');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, median, sleep } = require('../lib/stats');

const settings = {
  smoke: {
    count: 30,
    holders: 2,
    concurrency: 10,
    tokens: 10,
    accounts: 2,
    maxSeconds: 30,
    settleMs: 200,
    sweeps: 1,
    sweepWaitSeconds: 15,
  },
  full: {
    count: 20_000,
    holders: 2,
    concurrency: 100,
    tokens: 2_000,
    accounts: 4,
    maxSeconds: 300,
    settleMs: 3_000,
    sweeps: 4,
    sweepWaitSeconds: 40,
  },
};

const rows = [
  { key: 'memory', figure: 'RSS per open socket at 20,000 sockets', goal: '≤ 20 KB' },
  { key: 'memory-sweep', figure: "one socket sweep's event-loop time at 20,000 sockets", goal: '≤ 50 ms' },
];

/** Where RSS is sampled on the way up, as fractions of the count; the figure is taken from FIFTH to the last. */
const STAGES = [0, 0.1, 0.2, 0.25, 0.5, 0.75, 1];
const FIFTH = 0.2;
/** Descriptors the service needs besides its sockets: listeners, database pool, stdio, its own files. */
const SERVICE_DESCRIPTORS = 300;
const GOAL_KB = 20;
const GOAL_SWEEP_SECONDS = 0.05;
const SWEEPS = 'gatehouse_socket_sweep_seconds';
const TOKEN_LIFETIME_MS = 24 * 3600_000;
const MiB = 1024 * 1024;
const ENGINES = { mariadb: 'MariaDB', postgres: 'PostgreSQL' };

/** The largest count the service's descriptors allow (it inherits the benchmark's limit), and why. */
function socketCount(s) {
  const limit = openFileLimit();
  if (!Number.isFinite(limit) || s.count + SERVICE_DESCRIPTORS <= limit) return { count: s.count, notes: [] };
  const count = Math.max(0, limit - SERVICE_DESCRIPTORS);
  return {
    count,
    notes: [
      `open-file limit ${fmt(limit)} (ulimit -n, hard): measured at ${fmt(count)} sockets instead of ${fmt(s.count)}, leaving the service ${SERVICE_DESCRIPTORS} descriptors besides its sockets`,
    ],
  };
}

/** Tokens with known plaintexts, seeded in SQL over `s.accounts` accounts of their own. */
async function seedSocketTokens(ctx, s) {
  const passwordHash = await passwordHashOf(ctx.db, ctx.accounts[0].handle);
  await seedAccounts(ctx.db, { prefix: 'sockacct', first: 0, count: s.accounts, passwordHash });
  const firstAccountId = await accountIdOf(ctx.db, 'sockacct0');
  const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
  await seedTokens(ctx.db, {
    prefix: 'socktok',
    first: 0,
    count: s.tokens,
    firstAccountId,
    accounts: s.accounts,
    expiresAt,
  });
  return Array.from({ length: s.tokens }, (_, i) => knownToken('socktok', i));
}

async function rssSample(ctx, s) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(s.settleMs / 6);
    samples.push(ctx.service.rssKiB());
  }
  return median(samples);
}

const openOnService = async (ctx) => sample(await scrape(ctx.metricsUrl), 'gatehouse_open_sockets');

/** The i-th of `parts` near-equal shares of n. */
const share = (n, parts, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0);
const rotate = (list, by) => [...list.slice(by), ...list.slice(0, by)];

/**
 * Opens sockets up to each stage's count, split between the holders and taking the tokens
 * round-robin across the stages; samples the service's RSS at each stage once it has settled.
 */
async function climb(ctx, s, holders, tokens, count) {
  const deadline = Date.now() + s.maxSeconds * 1000;
  const concurrency = Math.ceil(s.concurrency / holders.length);
  const stages = [];
  const failures = [];
  let requested = 0;
  for (const fraction of STAGES) {
    const target = Math.round(fraction * count);
    const more = target - requested;
    const orders = [];
    for (const [h, holder] of holders.entries()) {
      const n = share(more, holders.length, h);
      if (n > 0) {
        const order = { baseUrl: ctx.baseUrl, tokens: rotate(tokens, requested % tokens.length), count: n };
        orders.push(holder.open({ ...order, concurrency, deadline }));
      }
      requested += n;
    }
    for (const opened of await Promise.all(orders)) failures.push(...opened.failures);
    await sleep(s.settleMs);
    const rss = await rssSample(ctx, s);
    const open = await openOnService(ctx);
    stages.push({ fraction, target, open, rss });
    ctx.log(`socket memory: ${fmt(open)} sockets open on the service (wanted ${fmt(target)}), RSS ${fmt(rss)} KiB`);
    if (Date.now() >= deadline) break;
  }
  return { stages, failures };
}

/** RSS per added socket between the stage holding a fifth and the last: the cost of one more socket. */
function perSocket(ctx, { stages, failures }, { count, tokens, holders, notes: more }) {
  const fifth = stages.find((stage) => stage.fraction === FIFTH);
  const last = stages[stages.length - 1];
  const added = last.open - fifth.open;
  const kb = added > 0 ? (last.rss - fifth.rss) / added : Number.NaN;
  const notes = [
    `service RSS ${fmt(fifth.rss)} KiB with ${fmt(fifth.open)} sockets open, ${fmt(last.rss)} KiB with ${fmt(last.open)}; growth ÷ ${fmt(added)} added sockets; KB = KiB`,
    `RSS on the way up: ${stages.map((stage) => `${fmt(stage.open)} → ${fmt(stage.rss / 1024, 1)} MiB`).join(', ')}`,
  ];
  if (failures.length > 0 || last.open < count)
    notes.push(`wanted ${fmt(count)}, ${fmt(last.open)} open; refused: ${failures.join(', ') || 'none'}`);
  notes.push(...more);
  ctx.record('memory', `${kb.toFixed(1)} KB`, kb <= GOAL_KB && last.open === count, notes);
  const goalEnd = fifth.rss + GOAL_KB * (last.open - fifth.open);
  const svg = lineChart({
    title: `Service RSS against open sockets (${ENGINES[ctx.engine] ?? ctx.engine})`,
    x: { label: 'open sockets' },
    y: { label: 'RSS (MiB)', min: 0 },
    series: [
      { name: 'service RSS', points: stages.map((stage) => [stage.open, stage.rss / 1024]) },
      {
        name: `${GOAL_KB} KB per socket from the fifth (goal)`,
        points: [
          [fifth.open, fifth.rss / 1024],
          [last.open, goalEnd / 1024],
        ],
      },
    ],
    note: `${fmt(last.open)} sockets over ${fmt(tokens)} tokens, clients in ${holders} processes; growth from the fifth: ${kb.toFixed(1)} KB per socket`,
  });
  ctx.chart(`sockets-${ctx.engine}.svg`, 'Service RSS against open sockets', svg);
}

/** With every socket open: how long the sweeps held the event loop, from the histogram's growth over a few sweeps. */
async function sweepTime(ctx, s, tokens) {
  const before = histogram(await scrape(ctx.metricsUrl), SWEEPS);
  const deadline = Date.now() + s.sweepWaitSeconds * 1000;
  let text = '';
  let after = before;
  while (after.count - before.count < s.sweeps && Date.now() < deadline) {
    await sleep(500);
    text = await scrape(ctx.metricsUrl);
    after = histogram(text, SWEEPS);
  }
  const sweeps = histogramDelta(before, after);
  const bound = upperBound(sweeps);
  const meanMs = sweeps.count > 0 ? (sweeps.sum / sweeps.count) * 1000 : Number.NaN;
  const open = sample(text, 'gatehouse_open_sockets');
  const value = Number.isFinite(bound)
    ? `≤ ${fmt(bound * 1000, bound < 0.01 ? 1 : 0)} ms`
    : `> ${fmt(sweeps.buckets.at(-2)?.[0] * 1000)} ms`;
  const notes = [
    `${sweeps.count} sweeps with ${fmt(open)} sockets open over ${fmt(tokens)} tokens (${SWEEPS}, its growth over ${fmt(s.sweepWaitSeconds)} s at most): mean ${meanMs.toFixed(1)} ms; the largest is within the bucket ${value}; the database query's own time is not counted`,
  ];
  if (sweeps.count < s.sweeps) notes.push(`wanted ${s.sweeps} sweeps, saw ${sweeps.count}`);
  ctx.record(
    'memory-sweep',
    `${value} (mean ${meanMs.toFixed(1)} ms, ${sweeps.count} sweeps)`,
    sweeps.count > 0 && bound <= GOAL_SWEEP_SECONDS,
    notes,
  );
}

/** The V8 heap after a full collection, with every socket still open. */
async function heapNote(ctx, open) {
  const memory = await ctx.service.memory({ gc: true });
  const mib = (bytes) => fmt(bytes / MiB, 1);
  return `after a full GC with ${fmt(open)} sockets open: V8 heap ${mib(memory.heapUsed)} MiB used of ${mib(memory.heapTotal)} MiB, external ${mib(memory.external)} MiB (array buffers ${mib(memory.arrayBuffers)} MiB), RSS ${mib(memory.rss)} MiB`;
}

async function socketMemory(ctx, s) {
  const { count, notes } = socketCount(s);
  const tokens = await seedSocketTokens(ctx, s);
  const holders = Array.from({ length: s.holders }, () => SocketHolder.spawn());
  try {
    ctx.log(
      `socket memory: opening ${fmt(count)} sockets over ${fmt(tokens.length)} seeded tokens from ${holders.length} processes, ${s.concurrency} handshakes at a time; RSS at ${STAGES.length} stages`,
    );
    const cpuBefore = ctx.cpu();
    const climbed = await ctx.measured(() => climb(ctx, s, holders, tokens, count));
    const cpu = describeCpu(cpuBetween(cpuBefore, ctx.cpu()), ctx.cores);
    notes.push(
      `while opening them (${STAGES.length} pauses of ${fmt(s.settleMs)} ms; the holders count as everything else): ${cpu}`,
    );
    await sweepTime(ctx, s, tokens.length);
    notes.push(await heapNote(ctx, climbed.stages.at(-1).open));
    perSocket(ctx, climbed, { count, tokens: tokens.length, holders: holders.length, notes });
  } finally {
    await Promise.all(holders.map((holder) => holder.close().catch(() => undefined)));
    await Promise.all(holders.map((holder) => holder.stop()));
  }
  await sleep(s.settleMs);
  ctx.log(`socket memory: service RSS ${fmt(ctx.service.rssKiB())} KiB after closing them`);
}

module.exports = { name: 'memory', rows, settings, run: socketMemory };
