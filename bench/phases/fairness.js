'use strict';
/*
 * Fairness: while a sign-in storm keeps the bcrypt pool full, GET /api/auth/me at a fixed rate
 * must stay fast. Several rounds; the figure is the median of the rounds' p99, with its spread.
 * The probe sends its requests evenly spaced (bench/lib/http-load.js, pacedProbe).
 */
const { pacedProbe, signInStorm } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, sleep, spread } = require('../lib/stats');

const settings = {
  smoke: { rate: 20, connections: 2, seconds: 1, leadMs: 200, rounds: 1, perCore: 4, stormMaxCount: 24 },
  full: { rate: 200, connections: 10, seconds: 8, leadMs: 1000, rounds: 3, perCore: 4, stormMaxCount: 1500 },
};

const rows = [{ key: 'fairness', figure: 'p99 of GET /api/auth/me during a sign-in storm', goal: '≤ 15 ms' }];

async function round(ctx, s) {
  const concurrency = s.perCore * ctx.cores;
  let probeDone = false;
  const hardDeadline = Date.now() + s.leadMs + s.seconds * 1000 + 30_000;
  const storm = signInStorm(ctx.api, {
    accounts: ctx.accounts,
    concurrency,
    maxCount: s.stormMaxCount,
    keepGoing: () => !probeDone && Date.now() < hardDeadline,
    onToken: ctx.addToken,
  });
  await sleep(s.leadMs); // let the hashing pool fill up first
  const before = ctx.cpu();
  let probe;
  try {
    probe = await ctx.measured(() =>
      pacedProbe({
        url: `${ctx.baseUrl}/api/auth/me`,
        headers: { authentication: `Bearer ${ctx.hotToken}` },
        connections: s.connections,
        rate: s.rate,
        seconds: s.seconds,
      }),
    );
  } finally {
    probeDone = true;
  }
  return { probe, storm: await storm, cpu: cpuBetween(before, ctx.cpu()) };
}

async function run(ctx, s) {
  const rounds = [];
  for (let i = 0; i < s.rounds; i++) {
    ctx.log(
      `fairness: round ${i + 1}/${s.rounds}: sign-in storm with GET /api/auth/me at ${s.rate}/s for ${s.seconds} s`,
    );
    rounds.push(await round(ctx, s));
  }
  const p99 = spread(
    rounds.map((r) => r.probe.p99),
    { decimals: 0, unit: 'rounds', suffix: ' ms' },
  );
  const bad = rounds.reduce((n, r) => n + r.probe.non2xx + r.probe.errors + r.probe.timeouts, 0);
  const signIns = rounds.reduce((n, r) => n + r.storm.ok, 0);
  const notes = [
    `${s.rounds} rounds of ${s.seconds} s at ${s.rate}/s over ${s.connections} connections: p50 ${rounds
      .map((r) => r.probe.p50)
      .join(
        ', ',
      )} ms, p99 ${rounds.map((r) => r.probe.p99).join(', ')} ms, max ${rounds.map((r) => r.probe.max).join(', ')} ms`,
    `storm: ${rounds.map((r) => `${fmt(r.storm.ok)} sign-ins at ${r.storm.rate.toFixed(1)}/s`).join('; ')}`,
    `last round: ${describeCpu(rounds.at(-1).cpu, ctx.cores)}`,
  ];
  if (bad > 0) notes.push(`failed or non-2xx /api/auth/me responses: ${bad}`);
  if (signIns === 0) notes.push('no sign-in completed during the window: the storm did not run');
  ctx.record('fairness', p99.text, p99.median <= 15 && bad === 0 && signIns > 0, notes);
}

module.exports = { name: 'fairness', rows, settings, run };
