'use strict';
/*
 * Sign-in throughput against the machine's bcrypt limit. Interleaved pairs: the ceiling (cores ÷
 * the median time of a few bcryptjs hashes at the service's cost, timed on this thread), then a
 * round of sign-ins from 4 × cores concurrent clients; the ratio is taken within each pair and
 * reported as the median with its spread. The audit log is on (every sign-in's outcome is
 * stored): the rows it gained over the rounds, once its last batch is written, ÷ the sign-ins.
 */
const { randomBytes } = require('node:crypto');
const bcrypt = require('bcryptjs');
const { signInStorm } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { median, sleep, spread } = require('../lib/stats');

const settings = {
  smoke: { perCore: 4, rounds: 2, hashesPerRound: 2, perRound: 6, roundSeconds: 5 },
  full: { perCore: 4, rounds: 6, hashesPerRound: 3, perRound: 150, roundSeconds: 6 },
};

const rows = [
  { key: 'signin', figure: 'sign-ins/s ÷ bcrypt limit (cores ÷ one hash)', goal: '≥ 0.95' },
  { key: 'signin-audit', figure: 'audit log rows written per sign-in', goal: 'reported' },
];

/** Rows of the audit log, by event. */
async function storedEvents(db) {
  const rows = await db.sql('SELECT event, COUNT(*) AS c FROM security_events GROUP BY event', [], 60_000);
  return new Map(rows.map((r) => [r.event, Number(r.c)]));
}

/** The queued events are written within a second: long enough for the last batch. */
const FLUSH_WAIT_MS = 1_500;

/** Wall and CPU ms of bcryptjs hashes at `cost`, of the 44-character digest the service hashes. */
function timeHashes(cost, samples) {
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

async function run(ctx, s) {
  const concurrency = s.perCore * ctx.cores;
  timeHashes(ctx.cost, 1);
  await signInStorm(ctx.api, {
    accounts: ctx.accounts,
    concurrency: ctx.cores,
    maxCount: 2 * ctx.cores,
    keepGoing: () => true,
    onToken: ctx.addToken,
  });
  await sleep(FLUSH_WAIT_MS);
  const eventsBefore = await storedEvents(ctx.db);
  const pairs = [];
  const failures = [];
  let busy = 0;
  let failed = 0;
  let lastCpu = null;
  let poolSeconds = 0;
  let signedIn = 0;
  for (let round = 0; round < s.rounds; round++) {
    const hashes = timeHashes(ctx.cost, s.hashesPerRound);
    const hashMs = median(hashes.wall);
    const deadline = Date.now() + s.roundSeconds * 1000;
    ctx.log(`sign-in: pair ${round + 1}/${s.rounds}: hash ${hashMs.toFixed(1)} ms, then up to ${s.perRound} sign-ins`);
    const before = ctx.cpu();
    const storm = await ctx.measured(() =>
      signInStorm(ctx.api, {
        accounts: ctx.accounts,
        concurrency,
        maxCount: s.perRound,
        keepGoing: () => Date.now() < deadline,
        onToken: ctx.addToken,
      }),
    );
    lastCpu = cpuBetween(before, ctx.cpu());
    poolSeconds += lastCpu?.serviceOtherSeconds ?? NaN;
    signedIn += storm.ok;
    busy += storm.busy;
    failed += storm.failed;
    failures.push(...storm.failures);
    const ideal = ctx.cores / (hashMs / 1000);
    pairs.push({ hashMs, hashCpuMs: median(hashes.cpu), rate: storm.rate, ideal, ratio: storm.rate / ideal });
  }
  const ratio = spread(pairs.map((p) => p.ratio));
  const notes = [
    `${s.rounds} pairs, ${concurrency} concurrent clients over ${ctx.accounts.length} accounts; by pair (sign-ins/s ÷ ideal): ${pairs
      .map((p) => `${p.rate.toFixed(1)} ÷ ${p.ideal.toFixed(1)}`)
      .join(', ')}`,
    `reference hash at cost ${ctx.cost}, median by pair: ${pairs.map((p) => p.hashMs.toFixed(1)).join(', ')} ms wall, ${pairs
      .map((p) => p.hashCpuMs.toFixed(1))
      .join(', ')} ms CPU`,
    // Each sign-in is one bcrypt verification on the pool: its CPU per sign-in against the
    // reference hash's tells whether the pool hashes as fast as this thread, whatever share of
    // the cores it was left.
    `service threads other than the main one (the hashing pool, GC): ${((poolSeconds * 1000) / signedIn).toFixed(1)} ms of CPU per sign-in over all pairs, against ${median(
      pairs.map((p) => p.hashCpuMs),
    ).toFixed(1)} ms for the reference hash`,
    `last round: ${describeCpu(lastCpu, ctx.cores)}`,
  ];
  if (busy || failed) notes.push(`503 busy: ${busy}, other failures: ${failed} ${failures.slice(0, 5).join('; ')}`);
  ctx.record('signin', ratio.text, ratio.median >= 0.95 && failed === 0, notes);

  await sleep(FLUSH_WAIT_MS);
  const eventsAfter = await storedEvents(ctx.db);
  const gained = [...eventsAfter].map(([event, n]) => [event, n - (eventsBefore.get(event) ?? 0)]).filter(([, n]) => n);
  const written = gained.reduce((sum, [, n]) => sum + n, 0);
  ctx.record('signin-audit', signedIn > 0 ? (written / signedIn).toFixed(2) : 'none', null, [
    `${written} rows added to security_events over the rounds' ${signedIn} sign-ins (${busy} answered 503, ${failed} failed): ${
      gained.map(([event, n]) => `${event} ${n}`).join(', ') || 'none'
    }; written in batches once a second, no write of its own on a sign-in's path`,
  ]);
}

module.exports = { name: 'signin', rows, settings, run, timeHashes };
