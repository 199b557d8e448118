'use strict';
/*
 * The account's own sessions (CONTRACT section 11) at scale:
 * - GET /api/auth/sessions for an account with many unexpired tokens (the listing shows at most
 *   100, with the total): its p99 in rounds of the same length, median of the rounds;
 * - POST /api/auth/sessions/revoke-others for an account with one socket open on each of its
 *   other tokens, timed from sending the request until every one of those sockets has seen
 *   'disconnect'.
 * Each account is registered through the API (its token is a real one) and its other tokens are
 * seeded in SQL (lib/seed.js) with plaintexts the benchmark can compute, for the sockets.
 */
const { randomBytes } = require('node:crypto');
const { cannon, requestJson } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { accountIdOf, analyze, knownToken, seedTokens } = require('../lib/seed');
const { openSockets, closeAll, connectOne } = require('../lib/sockets');
const { fmt, percentile, sleep, spread } = require('../lib/stats');

const LISTED = 100;
const DAY_MS = 86_400_000;

// A handful of people on their sessions page at once (two per core): the listing is no hot path.
const settings = {
  smoke: {
    list: { tokens: 20, connections: 2, roundSeconds: 1, rounds: 2, warmupSeconds: 1 },
    revoke: { tokens: 20, rounds: 1, concurrency: 10, openSeconds: 30, settleMs: 200, timeoutMs: 10_000 },
  },
  full: {
    list: { tokens: 1000, connections: 4, roundSeconds: 3, rounds: 6, warmupSeconds: 2 },
    revoke: { tokens: 10_000, rounds: 1, concurrency: 100, openSeconds: 180, settleMs: 2000, timeoutMs: 30_000 },
  },
};

const rows = [
  { key: 'sessions-list', figure: 'GET /api/auth/sessions p99, account with 1,000 tokens', goal: '≤ 20 ms' },
  { key: 'sessions-revoke', figure: 'revoke-others, 10,000 tokens, until every socket is gone', goal: '≤ 1 s' },
];

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const bearer = (token) => ({ authentication: `Bearer ${token}` });

/** An account registered through the API (so its token is a real one), with its id. */
async function registeredAccount(ctx, name) {
  const handle = `bench_${Date.now().toString(36)}_${name}`;
  const password = randomBytes(12).toString('base64url');
  const token = await ctx.api.register(handle, password);
  return { handle, password, token, id: await accountIdOf(ctx.db, handle) };
}

/** `count` unexpired tokens knownToken(prefix, i) of the account, i from 0. */
async function seedLive(ctx, account, prefix, count) {
  const t0 = performance.now();
  await seedTokens(ctx.db, { prefix, first: 0, count, firstAccountId: account.id, expiresAt: Date.now() + DAY_MS });
  return performance.now() - t0;
}

async function listing(ctx, s) {
  const account = await registeredAccount(ctx, 'sessions_list');
  const seedMs = await seedLive(ctx, account, 'sl', s.tokens - 1);
  await analyze(ctx.db);
  const url = `${ctx.baseUrl}/api/auth/sessions`;
  const headers = bearer(account.token);

  // What the route returns, checked once before it is measured.
  const res = await requestJson('GET', url, { headers });
  const body = res.body;
  const bytes = Buffer.byteLength(JSON.stringify(body));
  const shown = Array.isArray(body?.sessions) ? body.sessions.length : -1;
  const expectedShown = Math.min(LISTED, s.tokens);
  const shapeOk = res.status === 200 && body.total === s.tokens && shown === expectedShown;
  ctx.log(
    `sessions: listing ${s.tokens} tokens answers ${res.status}, total ${body?.total}, ${shown} shown, ${fmt(bytes)} bytes`,
  );

  await cannon({ url, headers, connections: s.connections, seconds: s.warmupSeconds });
  const runs = [];
  const before = ctx.cpu();
  await ctx.measured(async () => {
    for (let round = 0; round < s.rounds; round++) {
      runs.push(await cannon({ url, headers, connections: s.connections, seconds: s.roundSeconds }));
    }
  });
  const cpu = cpuBetween(before, ctx.cpu());
  const requests = runs.reduce((n, r) => n + r.ok, 0);
  const bad = runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const p99 = spread(
    runs.map((r) => r.p99),
    { decimals: 1, unit: 'rounds', suffix: ' ms' },
  );
  const perRequest = cpu ? `${((cpu.serviceMainSeconds * 1000) / requests).toFixed(2)} ms` : 'not available';
  const notes = [
    `${s.rounds} rounds of ${s.roundSeconds} s, ${s.connections} connections, one real token of an account with ${fmt(s.tokens)} unexpired tokens (${fmt(s.tokens - 1)} seeded in SQL in ${fmt(seedMs)} ms)`,
    `the route answers ${res.status} with total ${body?.total} and ${shown} sessions (the newest ${LISTED} at most), ${fmt(bytes)} bytes of JSON`,
    `p99 by round: ${runs.map((r) => r.p99).join(', ')} ms; p50 by round: ${runs.map((r) => r.p50).join(', ')} ms; ${runs.map((r) => fmt(r.rps)).join(', ')} requests/s`,
    `service main-thread CPU per request ${perRequest}; ${describeCpu(cpu, ctx.cores)}`,
  ];
  if (!shapeOk) notes.push(`unexpected listing: ${res.status}, total ${body?.total}, ${shown} sessions shown`);
  if (bad > 0) notes.push(`unexpected responses, errors or timeouts: ${bad}`);
  ctx.record('sessions-list', p99.text, shapeOk && bad === 0 && p99.median <= 20, notes);
}

/** When each socket sees 'disconnect', and when the first 'revoked' event arrives; `gone` settles once all are gone. */
function watch(sockets) {
  const seen = { disconnectedAt: [], firstRevokedAt: null };
  seen.gone = new Promise((resolve) => {
    for (const socket of sockets) {
      socket.once('revoked', () => (seen.firstRevokedAt ??= performance.now()));
      socket.once('disconnect', () => {
        seen.disconnectedAt.push(performance.now());
        if (seen.disconnectedAt.length === sockets.length) resolve();
      });
    }
  });
  return seen;
}

/**
 * One revoke-others: opens a socket on each seeded token (and one on the caller's, which must
 * stay), sends the request and waits until every seeded token's socket has seen 'disconnect'.
 */
async function revokeRound(ctx, s, account, prefix) {
  const seeded = s.tokens - 1;
  const seedMs = await seedLive(ctx, account, prefix, seeded);
  const tokens = Array.from({ length: seeded }, (_, i) => knownToken(prefix, i));
  const t0Open = performance.now();
  const opened = await openSockets(ctx.baseUrl, {
    tokens,
    count: seeded,
    concurrency: s.concurrency,
    deadline: Date.now() + s.openSeconds * 1000,
  });
  const openSeconds = (performance.now() - t0Open) / 1000;
  const own = await connectOne(ctx.baseUrl, account.token);
  const sockets = opened.sockets;
  try {
    if (sockets.length < seeded || own.error) {
      throw new Error(
        `opened ${sockets.length} of ${seeded} sockets in ${openSeconds.toFixed(1)} s (${opened.failures.join(', ') || 'none refused'})${own.error ? `; the caller's socket: ${own.error}` : ''}`,
      );
    }
    // Lets the service write the handshakes' token uses before the revocation is measured.
    await sleep(s.settleMs);
    let ownDropped = false;
    own.socket.once('disconnect', () => (ownDropped = true));
    const seen = watch(sockets);
    const before = ctx.cpu();
    const { t0, httpMs, res } = await ctx.measured(async () => {
      const start = performance.now();
      const answer = await requestJson('POST', `${ctx.baseUrl}/api/auth/sessions/revoke-others`, {
        body: { pwd: b64(account.password) },
        headers: bearer(account.token),
        timeoutMs: s.timeoutMs,
      });
      const answeredMs = performance.now() - start;
      let timer;
      await Promise.race([seen.gone, new Promise((resolve) => (timer = setTimeout(resolve, s.timeoutMs)))]);
      clearTimeout(timer);
      return { t0: start, httpMs: answeredMs, res: answer };
    });
    const cpu = cpuBetween(before, ctx.cpu());
    await sleep(100); // the caller's socket would be dropped in the same broadcast
    const since = seen.disconnectedAt.map((at) => at - t0);
    return {
      firstRevokedMs: seen.firstRevokedAt === null ? Number.NaN : seen.firstRevokedAt - t0,
      count: sockets.length,
      disconnected: since.length,
      firstMs: since.length ? Math.min(...since) : Number.NaN,
      lastMs: since.length ? Math.max(...since) : Number.NaN,
      p50Ms: percentile(since, 50),
      httpMs,
      status: res.status,
      revoked: res.body?.revoked,
      ownDropped,
      cpu,
      seedMs,
      openSeconds,
    };
  } finally {
    closeAll(sockets);
    if (own.socket) closeAll([own.socket]);
  }
}

function describeRound(r, ctx) {
  const perSocket = (seconds) => `${fmt((seconds * 1e6) / r.count)} µs`;
  const cpu = r.cpu
    ? `CPU per socket dropped: service main thread ${perSocket(r.cpu.serviceMainSeconds)}, bench (client) ${perSocket(r.cpu.bench * r.cpu.wall)}; `
    : '';
  return (
    `${fmt(r.count)} sockets (one per seeded token, seeded in ${fmt(r.seedMs)} ms, opened in ${r.openSeconds.toFixed(1)} s); ` +
    `after sending: first 'revoked' event ${fmt(r.firstRevokedMs)} ms (the password check and the deletion come before), ` +
    `HTTP answer ${r.status} {revoked: ${r.revoked}} ${fmt(r.httpMs)} ms; 'disconnect' seen by ${fmt(r.disconnected)}: first ${fmt(r.firstMs)} ms, p50 ${fmt(r.p50Ms)} ms, last ${fmt(r.lastMs)} ms; the caller's own socket ${r.ownDropped ? 'was dropped' : 'stayed'}; ` +
    `${cpu}${describeCpu(r.cpu, ctx.cores)}`
  );
}

async function revocation(ctx, s) {
  const account = await registeredAccount(ctx, 'sessions_revoke');
  const results = [];
  for (let round = 0; round < s.rounds; round++) {
    ctx.log(`sessions: revoke-others round ${round + 1}/${s.rounds}: ${fmt(s.tokens - 1)} sockets, one per token`);
    results.push(await revokeRound(ctx, s, account, `sr${round}`));
    await sleep(s.settleMs);
  }
  const last = spread(
    results.map((r) => r.lastMs),
    { decimals: 0, unit: results.length === 1 ? 'round' : 'rounds', suffix: ' ms' },
  );
  const complete = results.every(
    (r) => r.status === 200 && r.revoked === s.tokens - 1 && r.disconnected === r.count && !r.ownDropped,
  );
  const notes = results.map((r, i) => `round ${i + 1}: ${describeRound(r, ctx)}`);
  notes.push(
    `the request checks the password first (bcrypt at cost ${ctx.cost}), then deletes the ${fmt(s.tokens - 1)} other tokens in one transaction and drops their sockets`,
  );
  if (!complete) notes.push('incomplete: not every socket was dropped, or the answer was not the expected one');
  ctx.record('sessions-revoke', last.text, complete && last.median <= 1000, notes);
}

async function run(ctx, s) {
  await listing(ctx, s.list);
  await revocation(ctx, s.revoke);
}

module.exports = { name: 'sessions', rows, settings, run };
