'use strict';
/*
 * Token introspection (POST /api/auth/introspect, RFC 7662) of a hot token by a caller with a
 * hot token, against the same 404 ceiling as the auth phase: interleaved rounds (404, then
 * introspection), each an autocannon run with the same connections and length, the ratio taken
 * within each round and reported as the median of the rounds with its spread. The caller's own
 * token and the token in the body are the same hot token: both checks hit the session cache, as
 * they do for a resource server that introspects the tokens of active users.
 */
const { cannon } = require('../lib/http-load');
const { cpuBetween } = require('../lib/cpu');
const { fmt, spread } = require('../lib/stats');

const settings = {
  smoke: { connections: 4, roundSeconds: 1, rounds: 2, warmupSeconds: 1 },
  full: { connections: 50, roundSeconds: 4, rounds: 5, warmupSeconds: 2 },
};

const rows = [{ key: 'introspect', figure: 'POST /api/auth/introspect (hot token) ÷ 404 ceiling', goal: '≥ 0.9' }];

async function run(ctx, s) {
  const targets = {
    ceiling: { url: `${ctx.baseUrl}/bench-no-such-route`, expect: 404 },
    introspect: {
      url: `${ctx.baseUrl}/api/auth/introspect`,
      method: 'POST',
      body: JSON.stringify({ token: ctx.hotToken }),
      headers: { authentication: `Bearer ${ctx.hotToken}`, 'content-type': 'application/json' },
    },
  };
  ctx.log(`introspection: warm-up ${s.warmupSeconds} s on each route`);
  for (const t of Object.values(targets)) await cannon({ ...t, connections: s.connections, seconds: s.warmupSeconds });

  const runs = { ceiling: [], introspect: [] };
  const mainSeconds = { ceiling: 0, introspect: 0 };
  for (let round = 0; round < s.rounds; round++) {
    ctx.log(`introspection: round ${round + 1}/${s.rounds}: 404, introspect, ${s.roundSeconds} s each`);
    for (const [kind, target] of Object.entries(targets)) {
      const before = ctx.cpu();
      runs[kind].push(
        await ctx.measured(() => cannon({ ...target, connections: s.connections, seconds: s.roundSeconds })),
      );
      mainSeconds[kind] += cpuBetween(before, ctx.cpu())?.serviceMainSeconds ?? NaN;
    }
  }
  const ratios = runs.introspect.map((r, i) => r.rps / runs.ceiling[i].rps);
  const vsCeiling = spread(ratios);
  const bad = Object.values(runs)
    .flat()
    .reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const perRequest = (kind) => (mainSeconds[kind] * 1e6) / runs[kind].reduce((n, r) => n + r.ok, 0);
  const line = (kind, label) =>
    `${label}: ${runs[kind].map((r) => fmt(r.rps)).join(', ')} rps by round; p99 ${fmt(
      Math.max(...runs[kind].map((r) => r.p99)),
    )} ms (worst round); service main-thread CPU ${fmt(perRequest(kind))} µs per request`;
  const notes = [
    `${s.rounds} interleaved rounds of ${s.roundSeconds} s, ${s.connections} connections; ratios by round: ${ratios
      .map((r) => r.toFixed(2))
      .join(', ')}`,
    line('introspect', 'POST /api/auth/introspect'),
    line('ceiling', 'GET of an unmatched path (404)'),
    `main-thread CPU per request, introspect ÷ 404: ${(perRequest('introspect') / perRequest('ceiling')).toFixed(2)}`,
  ];
  if (bad > 0) notes.push(`unexpected responses, errors or timeouts: ${bad}`);
  ctx.record('introspect', vsCeiling.text, vsCeiling.median >= 0.9 && bad === 0, notes);
}

module.exports = { name: 'introspection', rows, settings, run };
