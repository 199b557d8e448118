'use strict';
/*
 * Passkey sign-in beside password sign-in. A passkey sign-in is two requests (request options,
 * then the signed assertion) and no password hash: an ECDSA P-256 verification and a few short
 * transactions (the challenge stored and taken, the counter and the token in the issuing one). Interleaved pairs: a
 * round of password sign-ins (bcrypt-bound), then a round of passkey sign-ins signed by software
 * keys in this process; the figure is the median passkey rate ÷ the median password rate. In the
 * passkey rounds GET /api/auth/me is probed at a fixed rate, as in the fairness phase, and its
 * p99 reported; the notes say where the time went (the service's main thread, the database).
 */
const { randomBytes } = require('node:crypto');
const { pacedProbe, requestJson, signInStorm } = require('../lib/http-load');
const { SoftwarePasskey } = require('../lib/passkey');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, median, spread } = require('../lib/stats');

const settings = {
  smoke: { accounts: 4, rounds: 1, perCore: 4, perRound: 8, roundSeconds: 3, probeRate: 20, probeConnections: 2 },
  full: {
    accounts: 64,
    rounds: 3,
    perCore: 8,
    perRound: 20_000,
    roundSeconds: 6,
    probeRate: 200,
    probeConnections: 10,
  },
};

const rows = [
  { key: 'signin-passkey', figure: 'passkey sign-ins/s ÷ password sign-ins/s', goal: '≥ 20' },
  { key: 'signin-passkey-me-p99', figure: 'p99 of GET /api/auth/me during a passkey sign-in storm', goal: '≤ 15 ms' },
];

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

/** An account with one passkey, registered through the API as a browser would. */
async function withPasskey(ctx, stamp, i) {
  const handle = `benchpk_${stamp}_${i}`;
  const password = randomBytes(12).toString('base64url');
  const token = await ctx.api.register(handle, password);
  const headers = { authentication: `Bearer ${token}` };
  const options = await requestJson('POST', `${ctx.baseUrl}/api/auth/passkeys/options`, {
    body: { pwd: b64(password) },
    headers,
  });
  if (options.status !== 200) throw new Error(`passkeys/options: ${options.status} ${JSON.stringify(options.body)}`);
  // The service's default relying party: http://localhost:<PORT>.
  const key = new SoftwarePasskey(`http://localhost:${new URL(ctx.baseUrl).port}`);
  const added = await requestJson('POST', `${ctx.baseUrl}/api/auth/passkeys`, {
    body: { credential: await key.create(options.body.options) },
    headers,
  });
  if (added.status !== 200) throw new Error(`passkeys: ${added.status} ${JSON.stringify(added.body)}`);
  return { handle, key };
}

/** signInStorm's api for passkeys: each sign-in asks for options, signs them, and sends the assertion. */
function passkeyApi(ctx, byHandle) {
  return {
    login: async (handle) => {
      const options = await requestJson('POST', `${ctx.baseUrl}/api/auth/passkey/login/options`, { body: {} });
      if (options.status !== 200) return options;
      const credential = byHandle.get(handle).get(options.body.options);
      return requestJson('POST', `${ctx.baseUrl}/api/auth/passkey/login`, { body: { credential } });
    },
  };
}

async function storm(ctx, s, api, accounts) {
  const deadline = Date.now() + s.roundSeconds * 1000;
  return signInStorm(api, {
    accounts,
    concurrency: s.perCore * ctx.cores,
    maxCount: s.perRound,
    keepGoing: () => Date.now() < deadline,
    onToken: ctx.addToken,
  });
}

async function run(ctx, s) {
  const stamp = Date.now().toString(36);
  const pool = [];
  for (let i = 0; i < s.accounts; i += 2 * ctx.cores) {
    const batch = Array.from({ length: Math.min(2 * ctx.cores, s.accounts - i) }, (_, j) =>
      withPasskey(ctx, stamp, i + j),
    );
    pool.push(...(await Promise.all(batch)));
  }
  ctx.log(`sign-in with a passkey: ${pool.length} accounts with a passkey each`);
  const byHandle = new Map(pool.map((account) => [account.handle, account.key]));
  const accounts = pool.map((account) => ({ handle: account.handle, password: '' }));
  const api = passkeyApi(ctx, byHandle);
  await storm(ctx, { ...s, roundSeconds: 1, perRound: 2 * ctx.cores }, api, accounts); // warm-up

  const password = [];
  const passkey = [];
  for (let r = 0; r < s.rounds; r++) {
    ctx.log(`sign-in with a passkey: pair ${r + 1}/${s.rounds}`);
    password.push(await storm(ctx, { ...s, perRound: 150 }, ctx.api, ctx.accounts));
    const before = ctx.cpu();
    let stormDone = false;
    const running = ctx.measured(() => storm(ctx, s, api, accounts)).finally(() => (stormDone = true));
    const probe = await pacedProbe({
      url: `${ctx.baseUrl}/api/auth/me`,
      headers: { authentication: `Bearer ${ctx.hotToken}` },
      connections: s.probeConnections,
      rate: s.probeRate,
      seconds: Math.max(1, s.roundSeconds - 1),
    });
    const result = await running;
    passkey.push({ ...result, probe, cpu: cpuBetween(before, ctx.cpu()), stormDone });
  }
  const rate = (rounds) => median(rounds.map((round) => round.rate));
  const ratio = rate(passkey) / rate(password);
  const failed = [...password, ...passkey].reduce((n, round) => n + round.failed + round.busy, 0);
  const failures = passkey.flatMap((round) => round.failures).slice(0, 5);
  const notes = [
    `${s.rounds} pairs, ${s.perCore * ctx.cores} concurrent clients; passkey sign-ins/s by round: ${passkey
      .map((round) => round.rate.toFixed(1))
      .join(
        ', ',
      )} (each two requests: options, then the assertion, over ${pool.length} accounts with a software P-256 key); password sign-ins/s: ${password
      .map((round) => round.rate.toFixed(1))
      .join(', ')}`,
    `passkey rounds: ${describeCpu(passkey.at(-1).cpu, ctx.cores)}`,
  ];
  if (failed) notes.push(`failures or 503: ${failed} ${failures.join('; ')}`);
  ctx.record('signin-passkey', ratio.toFixed(1), ratio >= 20 && failed === 0, notes);

  const p99 = spread(
    passkey.map((round) => round.probe.p99),
    { decimals: 0, unit: 'rounds', suffix: ' ms' },
  );
  const bad = passkey.reduce((n, round) => n + round.probe.non2xx + round.probe.errors + round.probe.timeouts, 0);
  ctx.record('signin-passkey-me-p99', p99.text, p99.median <= 15 && bad === 0, [
    `GET /api/auth/me at ${s.probeRate}/s over ${s.probeConnections} connections during each passkey round: p50 ${passkey
      .map((round) => round.probe.p50)
      .join(', ')} ms, p99 ${passkey.map((round) => fmt(round.probe.p99)).join(', ')} ms, max ${passkey
      .map((round) => round.probe.max)
      .join(', ')} ms`,
    ...(bad ? [`failed or non-2xx /api/auth/me responses: ${bad}`] : []),
  ]);
}

module.exports = { name: 'signin-passkey', rows, settings, run };
