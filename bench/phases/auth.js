'use strict';
/*
 * The token check's cost, and database writes in steady state. Three routes, in interleaved
 * rounds (404, /api/auth/me, /health, then again, at least five times), each round an autocannon
 * run with the same connections and length:
 * - a path no route matches (404): the cost of the HTTP stack with nothing behind it, the ceiling;
 * - GET /api/auth/me with one valid token (cached after its first check): the subject;
 * - GET /health, which runs SELECT 1 on the database, for comparison with the earlier figure.
 * Each ratio is taken within a round, so that the machine's drift hits both sides alike, and
 * reported as the median of the rounds with its spread.
 */
const { cannon } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, spread } = require('../lib/stats');

const settings = {
  smoke: { connections: 4, roundSeconds: 1, rounds: 2, warmupSeconds: 1 },
  full: { connections: 50, roundSeconds: 4, rounds: 6, warmupSeconds: 2 },
};

const rows = [
  { key: 'auth', figure: 'authenticated GET /api/auth/me ÷ 404 ceiling', goal: '≥ 0.95' },
  { key: 'auth-health', figure: 'authenticated GET /api/auth/me ÷ /health', goal: 'reported' },
  { key: 'writes', figure: 'database writes per authenticated request', goal: '0' },
];

async function run(ctx, s) {
  const targets = {
    ceiling: { url: `${ctx.baseUrl}/bench-no-such-route`, expect: 404 },
    me: { url: `${ctx.baseUrl}/api/auth/me`, headers: { authentication: `Bearer ${ctx.hotToken}` } },
    health: { url: `${ctx.baseUrl}/health` },
  };
  ctx.log(`auth: warm-up ${s.warmupSeconds} s on each route`);
  for (const t of Object.values(targets)) await cannon({ ...t, connections: s.connections, seconds: s.warmupSeconds });

  await ctx.db.startCountingWrites();
  const runs = { ceiling: [], me: [], health: [] };
  const cpu = {};
  const mainSeconds = { ceiling: 0, me: 0, health: 0 };
  for (let round = 0; round < s.rounds; round++) {
    ctx.log(`auth: round ${round + 1}/${s.rounds}: 404, /api/auth/me, /health, ${s.roundSeconds} s each`);
    for (const [kind, target] of Object.entries(targets)) {
      const before = ctx.cpu();
      runs[kind].push(
        await ctx.measured(() => cannon({ ...target, connections: s.connections, seconds: s.roundSeconds })),
      );
      cpu[kind] = cpuBetween(before, ctx.cpu());
      mainSeconds[kind] += cpu[kind]?.serviceMainSeconds ?? NaN;
    }
  }
  const written = await ctx.db.stopCountingWrites();

  const ratios = (kind) => runs.me.map((m, i) => m.rps / runs[kind][i].rps);
  const vsCeiling = spread(ratios('ceiling'));
  const vsHealth = spread(ratios('health'));
  const bad = Object.values(runs)
    .flat()
    .reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  // The service's main-thread CPU per answered request over all rounds: what the route costs
  // the event loop, whatever share of the cores the machine's other work left the service.
  const perRequest = (kind) => (mainSeconds[kind] * 1e6) / runs[kind].reduce((n, r) => n + r.ok, 0);
  const line = (kind, label) => {
    const rps = runs[kind].map((r) => fmt(r.rps)).join(', ');
    return `${label}: ${rps} rps by round; p50 ${fmt(Math.max(...runs[kind].map((r) => r.p50)))} ms, p99 ${fmt(Math.max(...runs[kind].map((r) => r.p99)))} ms (worst round); service main-thread CPU ${fmt(perRequest(kind))} µs per request over all rounds; last round ${describeCpu(cpu[kind], ctx.cores)}`;
  };
  const notes = [
    `${s.rounds} interleaved rounds of ${s.roundSeconds} s, ${s.connections} connections; the ratio is taken within each round: ${ratios(
      'ceiling',
    )
      .map((r) => r.toFixed(2))
      .join(', ')}`,
    line('me', 'GET /api/auth/me'),
    line('ceiling', 'GET of an unmatched path (404)'),
    `main-thread CPU per request, /api/auth/me ÷ 404: ${(perRequest('me') / perRequest('ceiling')).toFixed(2)} (the ratio of costs, which the machine's other load does not move)`,
  ];
  if (bad > 0) notes.push(`unexpected responses, errors or timeouts: ${bad}`);
  ctx.record('auth', vsCeiling.text, vsCeiling.median >= 0.95 && bad === 0, notes);
  ctx.record('auth-health', vsHealth.text, null, [
    line('health', 'GET /health (SELECT 1 per request)'),
    `ratios by round: ${ratios('health')
      .map((r) => r.toFixed(2))
      .join(', ')}`,
  ]);

  const meRequests = runs.me.reduce((n, r) => n + r.ok, 0);
  const rowWrites = written.reduce((n, w) => n + w.rows, 0);
  ctx.record('writes', rowWrites === 0 ? '0' : (rowWrites / meRequests).toPrecision(2), rowWrites === 0, [
    `${rowWrites} rows written to accounts, tokens and security_events (counted by triggers in the benchmark's database) over the ${fmt(
      runs.ceiling.reduce((n, r) => n + r.ok, 0) + meRequests + runs.health.reduce((n, r) => n + r.ok, 0),
    )} requests of the rounds, ${fmt(meRequests)} of them authenticated${
      written.length ? ` (${written.map((w) => `${w.table} ${w.op} ${w.rows}`).join(', ')})` : ''
    }`,
  ]);
}

module.exports = { name: 'auth', rows, settings, run };
