'use strict';
/*
 * The soak's load: four kinds of traffic run side by side, each paced to a fixed rate and
 * stopped at a deadline (and after a bounded count), each operation bounded by its own timeout.
 * Every failure is counted by kind in a Tally, with the first few reasons kept for the notes.
 *
 * - token checks: GET /api/auth/me, cycling through many distinct tokens (so the service's
 *   token cache fills to its bound), faster until it is full;
 * - socket churn: connect with a token, ask 'whoami', close; one connection in ten presents an
 *   unknown token (refused at the handshake) and one in ten is abandoned by the client while
 *   its handshake is under way;
 * - revocation cycles: sign in, connect with the new token, invalidate it, see the socket
 *   dropped; one cycle in three closes the socket first, so the revocation finds it gone;
 * - a trickle of sign-ins: sign in, use the token once, invalidate it (no socket).
 */
const { io } = require('socket.io-client');
const { requestJson } = require('./http-load');
const { connectOne, closeAll } = require('./sockets');
const { sleep } = require('./stats');

const REQUEST_TIMEOUT_MS = 10_000;
const ACK_TIMEOUT_MS = 5_000;

/** Failures by kind, and counts of what went through. */
class Tally {
  constructor() {
    this.done = new Map();
    this.failed = new Map();
    this.reasons = new Map();
  }

  ok(kind) {
    this.done.set(kind, (this.done.get(kind) ?? 0) + 1);
  }

  fail(kind, reason) {
    this.failed.set(kind, (this.failed.get(kind) ?? 0) + 1);
    const kept = this.reasons.get(kind) ?? [];
    if (kept.length < 3 && !kept.includes(reason)) kept.push(reason);
    this.reasons.set(kind, kept);
  }

  get errors() {
    let n = 0;
    for (const count of this.failed.values()) n += count;
    return n;
  }

  /** "120 token checks, 35 handshakes, …" */
  describeDone() {
    return [...this.done].map(([kind, n]) => `${n} ${kind}`).join(', ');
  }

  describeFailed() {
    return [...this.failed].map(([kind, n]) => `${n} ${kind} (${this.reasons.get(kind).join('; ')})`).join(', ');
  }
}

/**
 * One shared rate for several loops: each call waits for the next slot and resolves to true,
 * or to false once `deadline` (epoch ms) or `maxCount` slots are reached. Slots missed while the
 * loops were busy are not made up for in a burst.
 */
function pacer(rate, deadline, limit = Number.POSITIVE_INFINITY) {
  const interval = 1000 / rate;
  const maxCount = Math.min(limit, Math.ceil((rate * (deadline - Date.now())) / 1000) + 1);
  let next = Date.now();
  let count = 0;
  return async () => {
    const now = Date.now();
    const slot = Math.max(next, now);
    if (count >= maxCount || slot >= deadline) return false;
    next = slot + interval;
    count++;
    if (slot > now) await sleep(slot - now);
    return true;
  };
}

/** `loops` copies of `body`, each taking a slot of the shared pace before every run (at most `limit` runs). */
function paced(rate, loops, deadline, body, limit) {
  const slot = pacer(rate, deadline, limit);
  let n = 0;
  const loop = async () => {
    while (await slot()) await body(n++);
  };
  return Promise.all(Array.from({ length: loops }, loop));
}

const me = (baseUrl, token) =>
  requestJson('GET', `${baseUrl}/api/auth/me`, {
    headers: { authentication: `Bearer ${token}` },
    timeoutMs: REQUEST_TIMEOUT_MS,
  });

/** Runs `op`, counting a throw as a failure of `kind`; resolves to its value or undefined. */
async function guarded(tally, kind, op) {
  try {
    return await op();
  } catch (error) {
    tally.fail(kind, error.message ?? String(error));
    return undefined;
  }
}

/**
 * GET /api/auth/me with tokens[0], tokens[1], … in turn: the first `s.fillChecks` at
 * `s.fillRate` (so the token cache is full early), the rest at `s.meRate`.
 * `progress.distinct` counts the tokens used so far.
 */
async function tokenChecks(ctx, s, deadline, tally, tokens, progress) {
  let n = 0;
  const check = async () => {
    const token = tokens[n++ % tokens.length];
    progress.distinct = Math.min(n, tokens.length);
    const res = await guarded(tally, 'token checks', () => me(ctx.baseUrl, token));
    if (!res) return;
    if (res.status === 200) tally.ok('token checks');
    else tally.fail('token checks', `status ${res.status}`);
  };
  await paced(s.fillRate, s.meLoops, deadline, check, s.fillChecks);
  await paced(s.meRate, s.meLoops, deadline, check);
}

/** A client that gives up on its handshake almost at once (the service may be reading the token). */
async function abandonedHandshake(baseUrl, token) {
  const socket = io(baseUrl, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
  await sleep(1 + Math.floor(Math.random() * 5));
  socket.close();
}

function socketChurn(ctx, s, deadline, tally, tokens, unknownToken) {
  return paced(s.churnRate, s.churnLoops, deadline, async (n) => {
    const token = tokens[(n * 7919) % tokens.length];
    if (n % 10 === 9) {
      await abandonedHandshake(ctx.baseUrl, token);
      tally.ok('abandoned handshakes');
      return;
    }
    if (n % 10 === 5) {
      const { error } = await connectOne(ctx.baseUrl, unknownToken(n));
      if (error === 'Unauthorized') tally.ok('refused handshakes');
      else tally.fail('refused handshakes', error ?? 'an unknown token was admitted');
      return;
    }
    const { socket, error } = await connectOne(ctx.baseUrl, token);
    if (error) return tally.fail('handshakes', error);
    try {
      const reply = await guarded(tally, 'whoami', () => socket.timeout(ACK_TIMEOUT_MS).emitWithAck('whoami'));
      if (reply?.status === 'ok' && typeof reply.handle === 'string') tally.ok('handshakes + whoami');
      else if (reply) tally.fail('whoami', `answer ${JSON.stringify(reply)}`);
    } finally {
      closeAll([socket]);
    }
  });
}

/** Signs in as one of the run's accounts: the token, or undefined (counted as a failure of `kind`). */
async function signIn(ctx, n, tally, kind) {
  const account = ctx.accounts[n % ctx.accounts.length];
  const res = await guarded(tally, kind, () => ctx.api.login(account.handle, account.password));
  if (!res) return undefined;
  if (res.status === 200 && typeof res.body?.token === 'string') return res.body.token;
  tally.fail(kind, `status ${res.status}`);
  return undefined;
}

async function invalidate(ctx, token, tally, kind) {
  const res = await guarded(tally, kind, () => ctx.api.invalidate(token));
  if (res && res.status !== 200) tally.fail(kind, `status ${res.status}`);
}

/** Resolves to true when the socket's 'disconnect' comes within `timeoutMs`, false otherwise. */
function dropped(socket, timeoutMs) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    socket.once('disconnect', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function revocationCycles(ctx, s, deadline, tally) {
  return paced(s.cycleRate, s.cycleLoops, deadline, async (n) => {
    const token = await signIn(ctx, n, tally, 'cycle sign-ins');
    if (!token) return;
    const { socket, error } = await connectOne(ctx.baseUrl, token);
    if (error) {
      tally.fail('cycle handshakes', error);
      return invalidate(ctx, token, tally, 'cycle invalidations');
    }
    try {
      if (n % 3 === 2) {
        // The client leaves first: the revocation then finds no socket.
        closeAll([socket]);
        await sleep(5);
        await invalidate(ctx, token, tally, 'cycle invalidations');
        tally.ok('revocations after close');
        return;
      }
      const gone = dropped(socket, s.dropTimeoutMs);
      await invalidate(ctx, token, tally, 'cycle invalidations');
      if (await gone) tally.ok('revocations with a drop');
      else tally.fail('missed drops', `no disconnect within ${s.dropTimeoutMs} ms`);
    } finally {
      closeAll([socket]);
    }
  });
}

function signInTrickle(ctx, s, deadline, tally) {
  return paced(s.signInRate, 1, deadline, async (n) => {
    const token = await signIn(ctx, n + 1, tally, 'sign-ins');
    if (!token) return;
    const res = await guarded(tally, 'sign-ins', () => me(ctx.baseUrl, token));
    if (res && res.status !== 200) tally.fail('sign-ins', `GET /api/auth/me with the new token: ${res.status}`);
    await invalidate(ctx, token, tally, 'sign-in invalidations');
    tally.ok('sign-ins');
  });
}

/**
 * Runs every kind of load until `deadline`; resolves when all of them have stopped.
 * `tokens`: the distinct tokens for the checks and the churn; `unknownToken(n)`: a token-shaped
 * string no account has.
 */
function soakLoad(ctx, s, { deadline, tokens, unknownToken, tally, progress }) {
  return Promise.all([
    tokenChecks(ctx, s, deadline, tally, tokens, progress),
    socketChurn(ctx, s, deadline, tally, tokens, unknownToken),
    revocationCycles(ctx, s, deadline, tally),
    signInTrickle(ctx, s, deadline, tally),
  ]);
}

module.exports = { soakLoad, Tally };
