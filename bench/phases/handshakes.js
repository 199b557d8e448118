'use strict';
/*
 * Socket handshakes: authenticated socket.io connections per second over many distinct tokens
 * (each check a database lookup the first time), with a run on one hot token for comparison.
 */
const { openSockets, closeAll } = require('../lib/sockets');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, sleep } = require('../lib/stats');

const settings = {
  smoke: { count: 20, hotCount: 10, warmup: 10, tokens: 5, concurrency: 10, maxSeconds: 20, settleMs: 200 },
  full: { count: 2000, hotCount: 1000, warmup: 200, tokens: 200, concurrency: 100, maxSeconds: 60, settleMs: 2000 },
};

const rows = [{ key: 'handshakes', figure: 'socket handshakes', goal: '≥ 1,000/s' }];

/** Opens `count` sockets over `tokens` and closes them again: rate, refusals and CPU per handshake. */
async function handshakeRun(ctx, s, tokens, count, measured = (fn) => fn()) {
  const cpuBefore = ctx.cpu();
  const opened = await measured(() =>
    openSockets(ctx.baseUrl, { tokens, count, concurrency: s.concurrency, deadline: Date.now() + s.maxSeconds * 1000 }),
  );
  const cpu = cpuBetween(cpuBefore, ctx.cpu());
  const ok = opened.sockets.length;
  closeAll(opened.sockets);
  const perHandshake =
    cpu && ok > 0
      ? `CPU per handshake: service main thread ${((cpu.serviceMainSeconds * 1000) / ok).toFixed(2)} ms, service other threads ${((cpu.serviceOtherSeconds * 1000) / ok).toFixed(2)} ms, bench (client) ${((cpu.bench * cpu.wall * 1000) / ok).toFixed(2)} ms`
      : 'CPU per handshake not available';
  await sleep(s.settleMs); // let the service finish the closes before anything else is measured
  return { ok, rate: ok / opened.seconds, seconds: opened.seconds, failures: opened.failures, cpu, perHandshake };
}

async function handshakes(ctx, s) {
  await ctx.ensureTokens(s.tokens);
  const tokens = ctx.tokens.slice(0, s.tokens);
  // Not counted: brings the socket code paths of both sides up to speed when this phase runs alone.
  await handshakeRun(ctx, s, tokens, s.warmup);
  ctx.log(`handshakes: opening ${fmt(s.count)} sockets over ${tokens.length} tokens, ${s.concurrency} at a time`);
  const main = await handshakeRun(ctx, s, tokens, s.count, ctx.measured);
  ctx.log(`handshakes: opening ${fmt(s.hotCount)} sockets on one hot token, for comparison`);
  const hot = await handshakeRun(ctx, s, [ctx.hotToken], s.hotCount);
  const notes = [
    `${fmt(main.ok)} authenticated connections in ${main.seconds.toFixed(2)} s over ${tokens.length} distinct tokens (round-robin), ${s.concurrency} handshakes in flight, websocket transport`,
    `${main.perHandshake}; ${describeCpu(main.cpu, ctx.cores)}`,
    `for comparison, ${fmt(hot.ok)} connections all on one hot token (every check a cache hit): ${fmt(hot.rate)}/s; ${hot.perHandshake}; ${describeCpu(hot.cpu, ctx.cores)}`,
  ];
  if (main.ok < s.count)
    notes.push(`wanted ${s.count}, opened ${main.ok}; refused: ${main.failures.join(', ') || 'none'}`);
  if (hot.ok < s.hotCount)
    notes.push(`hot-token run: wanted ${s.hotCount}, opened ${hot.ok}; refused: ${hot.failures.join(', ') || 'none'}`);
  ctx.record('handshakes', `${fmt(main.rate)}/s`, main.rate >= 1000 && main.ok === s.count, notes);
}

module.exports = { name: 'handshakes', rows, settings, run: handshakes };
