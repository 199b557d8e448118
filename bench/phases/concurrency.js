'use strict';
/*
 * Throughput against concurrency, for the chart: GET /api/auth/me with the hot token (cached
 * after its first check) from 1, 4, 16 and 64 connections, one short autocannon round each;
 * then sign-ins (POST /api/auth/login) from 1, 2, 4, 8 and 16 concurrent clients, a bounded
 * count each. Where the curve flattens is where the service is saturated: the event loop for
 * /me, the bcrypt pool (one hash per core at a time) for sign-in.
 */
const { lineChart } = require('../lib/charts');
const { cannon, signInStorm } = require('../lib/http-load');
const { fmt } = require('../lib/stats');

const settings = {
  smoke: { meConnections: [1, 4], meSeconds: 1, signInClients: [1, 2], signInsPerClient: 2, signInSeconds: 5 },
  full: {
    meConnections: [1, 4, 16, 64],
    meSeconds: 3,
    signInClients: [1, 2, 4, 8, 16],
    signInsPerClient: 12,
    signInSeconds: 8,
  },
};

const rows = [
  {
    key: 'concurrency',
    figure: 'throughput against concurrency: GET /api/auth/me; sign-in (best level)',
    goal: 'reported',
  },
];

async function concurrency(ctx, s) {
  const me = [];
  let bad = 0;
  for (const connections of s.meConnections) {
    ctx.log(`concurrency: GET /api/auth/me from ${connections} connections, ${s.meSeconds} s`);
    const run = await cannon({
      url: `${ctx.baseUrl}/api/auth/me`,
      headers: { authentication: `Bearer ${ctx.hotToken}` },
      connections,
      seconds: s.meSeconds,
    });
    bad += run.non2xx + run.errors + run.timeouts;
    me.push({ connections, ...run });
  }
  const signIn = [];
  for (const clients of s.signInClients) {
    // At least a few rounds of every client, however slow the hash; bounded in time all the same.
    const maxCount = Math.max(4, clients * s.signInsPerClient);
    const deadline = Date.now() + s.signInSeconds * 1000;
    ctx.log(`concurrency: up to ${maxCount} sign-ins from ${clients} clients`);
    const storm = await signInStorm(ctx.api, {
      accounts: ctx.accounts,
      concurrency: clients,
      maxCount,
      keepGoing: () => Date.now() < deadline,
      onToken: ctx.addToken,
    });
    bad += storm.failed;
    signIn.push({ clients, ...storm });
  }

  const best = (list, key) => list.reduce((a, b) => (b[key] > a[key] ? b : a));
  const topMe = best(me, 'rps');
  const topSignIn = best(signIn, 'rate');
  ctx.record(
    'concurrency',
    `${fmt(topMe.rps)} /s at ${topMe.connections}; ${topSignIn.rate.toFixed(1)} /s at ${topSignIn.clients}`,
    null,
    [
      `GET /api/auth/me (hot token), ${s.meSeconds} s per level: ${me
        .map((r) => `${r.connections} → ${fmt(r.rps)} rps (p50 ${r.p50} ms, p99 ${r.p99} ms)`)
        .join('; ')}`,
      `sign-in at bcrypt cost ${ctx.cost}, on ${ctx.cores} cores: ${signIn
        .map(
          (r) =>
            `${r.clients} → ${r.rate.toFixed(1)}/s (${r.ok} in ${r.seconds.toFixed(1)} s${r.busy ? `, ${r.busy} busy` : ''})`,
        )
        .join('; ')}`,
      ...(bad ? [`failures, unexpected statuses or timeouts: ${bad}`] : []),
    ],
  );

  ctx.chart(
    `concurrency-${ctx.engine}.svg`,
    `Throughput against concurrency (${ctx.engine})`,
    lineChart({
      title: `Throughput against concurrency (${ctx.engine}, ${ctx.cores} cores, bcrypt cost ${ctx.cost})`,
      x: { label: 'concurrent connections / clients', log: true },
      // Thousands of checks and tens of sign-ins per second: a log scale shows both.
      y: { label: 'per second', log: true },
      series: [
        { name: 'GET /api/auth/me (hot token)', points: me.map((r) => [r.connections, r.rps]) },
        { name: 'sign-in', points: signIn.map((r) => [r.clients, r.rate]) },
      ],
    }),
  );
}

module.exports = { name: 'concurrency', rows, settings, run: concurrency };
