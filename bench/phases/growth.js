'use strict';
/*
 * How cost grows with data. The tables grow step by step (10³ … 10⁶ tokens, a tenth as many
 * accounts, as many stored security events as tokens), seeded in SQL (lib/seed.js): the accounts
 * share the password hash of one of the run's accounts, and each step's tokens (unexpired,
 * plaintexts computable) go ten to an account over that step's new accounts, each with one stored
 * sign-in event of that account (the audit log). After each step (and fresh planner statistics)
 * it measures:
 * - sign-in: POST /api/auth/login as seeded accounts spread over the whole table, `signIns` of
 *   them from `cores` clients, so that the bcrypt pool does not queue: p50 latency;
 * - uncached token check: GET /api/auth/me, each with a seeded token never used before (so each
 *   is a database lookup: a token's cache entry outlives no check it did not have), spread over
 *   the whole table, one at a time: p50 and p99;
 * - the account's activity: GET /api/auth/activity (its newest page of stored events: the ten
 *   seeded ones), as seeded accounts spread over the table, one at a time, each right after a
 *   GET /api/auth/me with the same unused token, so that the token is cached and what is timed
 *   is the audit log's read: p50;
 * - for reference, the cached check (the hot token, one at a time): its p50 moves with the
 *   machine's load and not with the tables, which tells drift from growth.
 * The figures: each p50 at the last step ÷ at the first. The tables stay big afterwards.
 */
const { lineChart } = require('../lib/charts');
const { fmt, percentile } = require('../lib/stats');
const {
  accountIdRange,
  analyze,
  knownToken,
  passwordHashOf,
  seedAccounts,
  seedEvents,
  seedTokens,
  tableSizes,
} = require('../lib/seed');

const ACCOUNT_PREFIX = 'grow';
const TOKEN_PREFIX = 'growtok';
const EVENT_PREFIX = 'growev';
const TOKENS_PER_ACCOUNT = 10;
const DAY_MS = 86_400_000;

const settings = {
  smoke: { steps: [1e2, 1e3], signIns: 4, checks: 20, activities: 10, references: 20, stepSeconds: 60 },
  full: { steps: [1e3, 1e4, 1e5, 1e6], signIns: 60, checks: 500, activities: 200, references: 200, stepSeconds: 180 },
};

const rows = [
  { key: 'growth-signin', figure: 'growth: sign-in p50, largest tables ÷ smallest', goal: '≤ 1.25' },
  { key: 'growth-check', figure: 'growth: uncached token check p50, largest tables ÷ smallest', goal: '≤ 1.25' },
  {
    key: 'growth-activity',
    figure: 'growth: GET /api/auth/activity p50, most stored events ÷ fewest',
    goal: '≤ 1.25',
  },
];

/** `count` integers spread evenly over [0, size), shifted by `offset` (0 ≤ offset < 1) of a gap, skipping `used`. */
function spreadOver(size, count, offset, used = new Set()) {
  const picked = [];
  for (let j = 0; j < count && used.size < size; j++) {
    let i = Math.floor(((j + offset) * size) / count) % size;
    while (used.has(i)) i = (i + 1) % size;
    used.add(i);
    picked.push(i);
  }
  return picked;
}

/**
 * Runs `call(item)` for every item, `concurrency` at a time; returns each call's latency in ms
 * (the `ms` the call reports, if it times itself) and the failures.
 */
async function timed(items, concurrency, deadline, call) {
  const latencies = [];
  const failures = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const item = items[next++];
      const t0 = performance.now();
      try {
        const res = await call(item);
        if (res.status === 200) latencies.push(res.ms ?? performance.now() - t0);
        else failures.push(`${res.status} ${JSON.stringify(res.body)}`);
      } catch (error) {
        failures.push(error.message);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, failures, missing: items.length - latencies.length - failures.length };
}

/** As `timed`, one at a time, each call preceded by `first(item)`, which is not timed. */
function timedAfter(items, deadline, first, call) {
  return timed(items, 1, deadline, async (item) => {
    const before = await first(item);
    if (before.status !== 200) return before;
    const t0 = performance.now();
    const res = await call(item);
    return { ...res, ms: performance.now() - t0 };
  });
}

/** Seeds up to `target` tokens and target ÷ 10 accounts in all (counting rows already there); returns what it did. */
async function grow(ctx, s, seeded, target, passwordHash) {
  const before = await tableSizes(ctx.db);
  const t0 = performance.now();
  // Rows left by earlier phases count towards the target, but the first step always seeds its
  // own sample: the accounts and tokens that the step's sign-ins and checks pick from.
  const sample = seeded.tokens === 0 ? Math.max(s.checks * 2, s.signIns * TOKENS_PER_ACCOUNT) : 0;
  const tokens = Math.max(sample, target - before.tokens);
  const accounts = Math.max(1, Math.ceil(tokens / TOKENS_PER_ACCOUNT));
  if (tokens > 0) {
    const first = seeded.accounts;
    await seedAccounts(ctx.db, { prefix: ACCOUNT_PREFIX, first, count: accounts, passwordHash });
    const firstId = await accountIdRange(ctx.db, ACCOUNT_PREFIX, first, accounts);
    const now = Date.now();
    await seedTokens(ctx.db, {
      prefix: TOKEN_PREFIX,
      first: seeded.tokens,
      count: tokens,
      firstAccountId: firstId,
      accounts,
      createdAt: now,
      expiresAt: now + DAY_MS,
    });
    // One stored sign-in per token, of the token's account: ten events an account, as many as tokens.
    await seedEvents(ctx.db, {
      prefix: EVENT_PREFIX,
      first: seeded.tokens,
      count: tokens,
      firstAccountId: firstId,
      accounts,
      loginPrefix: ACCOUNT_PREFIX,
      firstLogin: first,
      at: now,
    });
    seeded.accounts += accounts;
    seeded.tokens += tokens;
  }
  await analyze(ctx.db);
  return { seconds: (performance.now() - t0) / 1000, sizes: await tableSizes(ctx.db) };
}

async function measureStep(ctx, s, seeded, usedTokens, step) {
  const deadline = Date.now() + s.stepSeconds * 1000;
  const password = ctx.accounts[0].password;
  const offset = ((step + 1) * 0.618) % 1;
  const signInAt = spreadOver(seeded.accounts, s.signIns, offset);
  const signIn = await timed(signInAt, ctx.cores, deadline, (i) => ctx.api.login(`${ACCOUNT_PREFIX}${i}`, password));
  const checkAt = spreadOver(seeded.tokens, s.checks, offset, usedTokens);
  const check = await timed(checkAt, 1, deadline, (i) => ctx.api.me(knownToken(TOKEN_PREFIX, i)));
  const activityAt = spreadOver(seeded.tokens, s.activities, offset, usedTokens);
  const activity = await timedAfter(
    activityAt,
    deadline,
    (i) => ctx.api.me(knownToken(TOKEN_PREFIX, i)),
    (i) => ctx.api.activity(knownToken(TOKEN_PREFIX, i)),
  );
  const hot = Array.from({ length: s.references }, () => ctx.hotToken);
  const reference = await timed(hot, 1, deadline, (token) => ctx.api.me(token));
  return { signIn, check, activity, reference };
}

const p = (latencies, q) => percentile(latencies, q);
const ms = (value) => (value < 10 ? value.toFixed(2) : value.toFixed(1));

function problems(result) {
  const all = [result.signIn, result.check, result.activity, result.reference];
  const failures = all.flatMap((r) => r.failures);
  const missing = all.reduce((n, r) => n + r.missing, 0);
  return {
    count: failures.length + missing,
    text: `${failures.length} failed (${failures.slice(0, 3).join('; ')}), ${missing} not sent in time`,
  };
}

async function growth(ctx, s) {
  const passwordHash = await passwordHashOf(ctx.db, ctx.accounts[0].handle);
  const seeded = { accounts: 0, tokens: 0 };
  const usedTokens = new Set();
  const steps = [];
  for (const [index, target] of s.steps.entries()) {
    const grown = await grow(ctx, s, seeded, target, passwordHash);
    ctx.log(
      `growth: ${fmt(grown.sizes.tokens)} tokens, ${fmt(grown.sizes.accounts)} accounts, ${fmt(grown.sizes.events)} stored events (seeded in ${grown.seconds.toFixed(1)} s); measuring`,
    );
    const result = await ctx.measured(() => measureStep(ctx, s, seeded, usedTokens, index));
    steps.push({ target, ...grown, ...result });
  }

  const first = steps[0];
  const last = steps[steps.length - 1];
  const trouble = steps.map(problems);
  const bad = trouble.reduce((n, t) => n + t.count, 0);
  const describe = (step, i) =>
    `${fmt(step.sizes.tokens)} tokens, ${fmt(step.sizes.accounts)} accounts, ${fmt(step.sizes.events)} stored events (seeded in ${step.seconds.toFixed(1)} s): ` +
    `sign-in p50 ${ms(p(step.signIn.latencies, 50))} / p99 ${ms(p(step.signIn.latencies, 99))} ms; ` +
    `uncached check p50 ${ms(p(step.check.latencies, 50))} / p99 ${ms(p(step.check.latencies, 99))} ms; ` +
    `activity p50 ${ms(p(step.activity.latencies, 50))} / p99 ${ms(p(step.activity.latencies, 99))} ms; ` +
    `cached check p50 ${ms(p(step.reference.latencies, 50))} ms` +
    (trouble[i].count ? `; ${trouble[i].text}` : '');
  const method =
    `${s.signIns} sign-ins per step as seeded accounts spread over the table, ${ctx.cores} at a time (cores); ` +
    `${s.checks} token checks per step, one at a time, each with a seeded token used once; ` +
    `${s.activities} GET /api/auth/activity per step, one at a time, each as another seeded account (its token checked just before)`;
  const ratio = (pick) => p(pick(last), 50) / p(pick(first), 50);
  const signInRatio = ratio((step) => step.signIn.latencies);
  const checkRatio = ratio((step) => step.check.latencies);
  const activityRatio = ratio((step) => step.activity.latencies);
  const notes = [method, ...steps.map(describe)];
  ctx.record(
    'growth-signin',
    `${signInRatio.toFixed(2)} (${ms(p(last.signIn.latencies, 50))} ÷ ${ms(p(first.signIn.latencies, 50))} ms)`,
    signInRatio <= 1.25 && bad === 0,
    notes,
  );
  ctx.record(
    'growth-check',
    `${checkRatio.toFixed(2)} (${ms(p(last.check.latencies, 50))} ÷ ${ms(p(first.check.latencies, 50))} ms)`,
    checkRatio <= 1.25 && bad === 0,
    [`at ${fmt(last.sizes.tokens)} ÷ ${fmt(first.sizes.tokens)} tokens; the steps are in the notes of the row above`],
  );
  ctx.record(
    'growth-activity',
    `${activityRatio.toFixed(2)} (${ms(p(last.activity.latencies, 50))} ÷ ${ms(p(first.activity.latencies, 50))} ms)`,
    activityRatio <= 1.25 && bad === 0,
    [
      `at ${fmt(last.sizes.events)} ÷ ${fmt(first.sizes.events)} stored events (ten of each account's on its page); the steps are in the notes of the first growth row`,
    ],
  );

  const series = (name, pick, q) => ({ name, points: steps.map((step) => [step.sizes.tokens, p(pick(step), q)]) });
  ctx.chart(
    `growth-${ctx.engine}.svg`,
    `Latency against table size (${ctx.engine})`,
    lineChart({
      title: `Latency against table size (${ctx.engine}, bcrypt cost ${ctx.cost})`,
      x: { label: 'token rows (a tenth as many accounts)', log: true },
      y: { label: 'latency (ms)', log: true },
      series: [
        series('sign-in p50', (step) => step.signIn.latencies, 50),
        series('check p50 (uncached)', (step) => step.check.latencies, 50),
        series('check p99 (uncached)', (step) => step.check.latencies, 99),
        series('activity p50', (step) => step.activity.latencies, 50),
        series('check p50 (cached)', (step) => step.reference.latencies, 50),
      ],
      note: `per step: ${s.signIns} sign-ins, ${ctx.cores} at a time; ${s.checks} token checks (GET /api/auth/me), one at a time, each token used once`,
    }),
  );
}

module.exports = { name: 'growth', rows, settings, run: growth };
