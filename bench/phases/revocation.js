'use strict';
/*
 * Revocation reaches the socket: one socket per token; each token invalidated in turn, timed
 * from sending the invalidate to the client's 'disconnect' (and to the 'revoked' event).
 */
const { openSockets, closeAll } = require('../lib/sockets');
const { percentile } = require('../lib/stats');

const settings = {
  smoke: { count: 5, maxSeconds: 30, timeoutMs: 5000 },
  full: { count: 200, maxSeconds: 120, timeoutMs: 5000 },
};

const rows = [{ key: 'revocation', figure: 'revocation to disconnect (p50 / p99)', goal: '≤ 20 / 100 ms' }];

async function revocation(ctx, s) {
  await ctx.ensureTokens(s.count);
  // These tokens are revoked here: take them out of the pool.
  const tokens = ctx.tokens.splice(0, s.count);
  const deadline = Date.now() + s.maxSeconds * 1000;
  const opened = await openSockets(ctx.baseUrl, { tokens, count: s.count, concurrency: 20, deadline });
  const clients = opened.sockets.map((socket, i) => ({ socket, token: socket.auth.token, i }));
  ctx.log(`revocation: ${clients.length} sockets, each on its own token; invalidating one at a time`);
  const toDisconnect = [];
  const toRevokedEvent = [];
  let missed = 0;
  const badStatus = [];
  try {
    for (const { socket, token } of clients) {
      if (Date.now() >= deadline) break;
      let revokedAt = null;
      socket.once('revoked', () => {
        revokedAt = performance.now();
      });
      const disconnected = new Promise((resolveDisconnect) => {
        const timer = setTimeout(() => resolveDisconnect(null), s.timeoutMs);
        socket.once('disconnect', () => {
          clearTimeout(timer);
          resolveDisconnect(performance.now());
        });
      });
      const t0 = performance.now();
      const res = await ctx.api.invalidate(token);
      if (res.status !== 200) badStatus.push(res.status);
      const at = await disconnected;
      if (at === null) {
        missed++;
      } else {
        toDisconnect.push(at - t0);
        if (revokedAt !== null) toRevokedEvent.push(revokedAt - t0);
      }
    }
  } finally {
    closeAll(opened.sockets);
  }
  const p50 = percentile(toDisconnect, 50);
  const p99 = percentile(toDisconnect, 99);
  const notes = [
    `${toDisconnect.length} sockets: invalidate sent → 'disconnect' seen: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${Math.max(...toDisconnect).toFixed(1)} ms; → 'revoked' event p50 ${percentile(toRevokedEvent, 50).toFixed(1)} ms (${toRevokedEvent.length} seen)`,
  ];
  if (missed) notes.push(`${missed} sockets not disconnected within ${s.timeoutMs} ms`);
  if (badStatus.length) notes.push(`invalidate answered non-200: ${badStatus.join(', ')}`);
  if (opened.failed) notes.push(`sockets refused at connect: ${opened.failures.join(', ')}`);
  const complete = missed === 0 && badStatus.length === 0 && toDisconnect.length === s.count;
  ctx.record('revocation', `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`, complete && p50 <= 20 && p99 <= 100, notes);
}

module.exports = { name: 'revocation', rows, settings, run: revocation };
