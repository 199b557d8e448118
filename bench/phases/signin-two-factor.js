'use strict';
/*
 * Sign-in with two-factor on, against the same bcrypt limit as the password-only sign-in: the
 * second factor must cost next to nothing beside the password hash (an AES-GCM decryption, three
 * HMAC-SHA-1 codes and one conditional update in the issuing transaction). Interleaved triples:
 * the ceiling (cores ÷ the median time of a few bcryptjs hashes), a round of password-only
 * sign-ins, then a round of sign-ins with a TOTP code the benchmark computes; each round's
 * sign-ins/s ÷ ceiling, and the figure is the median two-factor ratio ÷ the median password-only
 * ratio. Each code is taken once per account (a step later than the last one accepted), so the
 * accounts are many and each signs in with the next step it has not used, now or the next one.
 */
const { randomBytes } = require('node:crypto');
const { Secret, TOTP } = require('otpauth');
const { requestJson, signInStorm } = require('../lib/http-load');
const { median, spread } = require('../lib/stats');
const { timeHashes } = require('./signin');

const STEP_MS = 30_000;

const settings = {
  smoke: { perCore: 2, rounds: 1, hashesPerRound: 1, perRound: 4, roundSeconds: 5, accounts: 4 },
  full: { perCore: 4, rounds: 5, hashesPerRound: 3, perRound: 100, roundSeconds: 6, accounts: 180 },
};

const rows = [
  {
    key: 'signin-2fa',
    figure: 'sign-ins with two-factor/s ÷ bcrypt limit, ÷ the same for password-only sign-ins',
    goal: '≥ 0.95',
  },
];

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

/** Registers an account and turns two-factor on for it; its `lastStep` is the step the enabling code used. */
async function enrolled(ctx, stamp, i) {
  const handle = `bench2fa_${stamp}_${i}`;
  const password = randomBytes(12).toString('base64url');
  const token = await ctx.api.register(handle, password);
  const headers = { authentication: `Bearer ${token}` };
  const setup = await requestJson('POST', `${ctx.baseUrl}/api/auth/2fa/setup`, {
    body: { pwd: b64(password) },
    headers,
  });
  if (setup.status !== 200) throw new Error(`2fa/setup: ${setup.status} ${JSON.stringify(setup.body)}`);
  const secret = Secret.fromBase32(setup.body.secret);
  const at = Date.now();
  const code = TOTP.generate({ secret, timestamp: at });
  const enabled = await requestJson('POST', `${ctx.baseUrl}/api/auth/2fa/enable`, { body: { code }, headers });
  if (enabled.status !== 200) throw new Error(`2fa/enable: ${enabled.status} ${JSON.stringify(enabled.body)}`);
  return { handle, password, secret, lastStep: Math.floor(at / STEP_MS) };
}

/**
 * The accounts as signInStorm takes them: each `login` picks an account with a step still unused
 * (now or the next one; the service accepts the one before too, but a request crossing a step's
 * end could then miss it) and signs in with that step's code.
 */
function twoFactorApi(ctx, pool) {
  let next = 0;
  return {
    login: () => {
      const current = Math.floor(Date.now() / STEP_MS);
      for (let tried = 0; tried < pool.length; tried++) {
        const account = pool[next++ % pool.length];
        const step = Math.max(account.lastStep + 1, current);
        if (step > current + 1) continue;
        account.lastStep = step;
        const otp = TOTP.generate({ secret: account.secret, timestamp: step * STEP_MS });
        return requestJson('POST', `${ctx.baseUrl}/api/auth/login`, {
          body: { handle: account.handle, pwd: b64(account.password), otp },
        });
      }
      return Promise.resolve({ status: 599, body: 'every account has used its codes for now' });
    },
  };
}

async function round(ctx, s, api, accounts, label) {
  const hashes = timeHashes(ctx.cost, s.hashesPerRound);
  const hashMs = median(hashes.wall);
  const deadline = Date.now() + s.roundSeconds * 1000;
  const storm = await ctx.measured(() =>
    signInStorm(api, {
      accounts,
      concurrency: s.perCore * ctx.cores,
      maxCount: s.perRound,
      keepGoing: () => Date.now() < deadline,
      onToken: ctx.addToken,
    }),
  );
  const ideal = ctx.cores / (hashMs / 1000);
  ctx.log(`sign-in (${label}): ${storm.rate.toFixed(1)}/s ÷ ideal ${ideal.toFixed(1)}`);
  return { ...storm, hashMs, ideal, ratio: storm.rate / ideal };
}

async function run(ctx, s) {
  const stamp = Date.now().toString(36);
  const pool = [];
  // Enrolled a few at a time: each costs two password hashes (registration, setup).
  for (let i = 0; i < s.accounts; i += 2 * ctx.cores) {
    const batch = Array.from({ length: Math.min(2 * ctx.cores, s.accounts - i) }, (_, j) =>
      enrolled(ctx, stamp, i + j),
    );
    pool.push(...(await Promise.all(batch)));
  }
  ctx.log(`sign-in with two-factor: ${pool.length} accounts enrolled`);
  const password = [];
  const twoFactor = [];
  const failures = [];
  for (let r = 0; r < s.rounds; r++) {
    ctx.log(`sign-in with two-factor: triple ${r + 1}/${s.rounds}`);
    password.push(await round(ctx, s, ctx.api, ctx.accounts, 'password only'));
    twoFactor.push(await round(ctx, s, twoFactorApi(ctx, pool), pool, 'two-factor'));
  }
  for (const storm of [...password, ...twoFactor]) failures.push(...storm.failures);
  const failed = twoFactor.reduce((n, t) => n + t.failed, 0) + password.reduce((n, t) => n + t.failed, 0);
  const relative = median(twoFactor.map((t) => t.ratio)) / median(password.map((t) => t.ratio));
  const notes = [
    `${s.rounds} triples, ${s.perCore * ctx.cores} concurrent clients; two-factor sign-ins over ${pool.length} accounts, each with a code it had not used`,
    `two-factor ÷ bcrypt limit: ${spread(twoFactor.map((t) => t.ratio)).text}; password only: ${spread(password.map((t) => t.ratio)).text}`,
  ];
  if (failed) notes.push(`failures: ${failed} ${failures.slice(0, 5).join('; ')}`);
  ctx.record('signin-2fa', relative.toFixed(2), relative >= 0.95 && failed === 0, notes);
}

module.exports = { name: 'signin-2fa', rows, settings, run };
