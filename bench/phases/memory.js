'use strict';
/*
 * Socket memory: the service's RSS growth per open authenticated socket, taken between two
 * stages that both hold sockets (a fifth of them, then all).
 */
const { openFileLimit } = require('../lib/service');
const { openSockets, closeAll } = require('../lib/sockets');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, median, sleep } = require('../lib/stats');

const settings = {
  smoke: { count: 30, concurrency: 10, maxSeconds: 20, settleMs: 200, tokens: 5 },
  full: { count: 5000, concurrency: 100, maxSeconds: 180, settleMs: 3000, tokens: 100 },
};

const rows = [{ key: 'memory', figure: 'RSS per open socket', goal: '≤ 20 KB' }];

async function rssSample(ctx, s) {
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(s.settleMs / 6);
    samples.push(ctx.service.rssKiB());
  }
  return median(samples);
}

async function socketMemory(ctx, s) {
  const limit = openFileLimit();
  let count = s.count;
  const notes = [];
  // Each socket takes one descriptor in the service and one here; keep a margin for the rest.
  if (Number.isFinite(limit) && count + 512 > limit) {
    count = Math.max(0, limit - 512);
    notes.push(`open-file limit ${limit} (ulimit -n): measured at ${count} sockets instead of ${s.count}`);
  }
  await ctx.ensureTokens(s.tokens);
  // The growth is taken between two stages that both hold sockets (a fifth of them, then all),
  // so that garbage left by earlier phases and collected meanwhile, and the one-time cost of the
  // first sockets (code, buffers, maps), do not count: what remains is the cost of one more socket.
  const first = Math.max(1, Math.floor(count / 5));
  const open = (n) =>
    openSockets(ctx.baseUrl, {
      tokens: ctx.tokens,
      count: n,
      concurrency: s.concurrency,
      deadline: Date.now() + s.maxSeconds * 1000,
    });
  const stage1 = await open(first);
  const sockets = [...stage1.sockets];
  try {
    await sleep(s.settleMs);
    const before = await rssSample(ctx, s);
    ctx.log(
      `socket memory: service RSS ${fmt(before)} KiB with ${fmt(stage1.sockets.length)} sockets; opening ${fmt(count - first)} more, ${s.concurrency} handshakes at a time`,
    );
    const cpuBefore = ctx.cpu();
    const opened = await ctx.measured(() => open(count - first));
    sockets.push(...opened.sockets);
    const cpu = cpuBetween(cpuBefore, ctx.cpu());
    await sleep(s.settleMs);
    const connected = sockets.filter((sock) => sock.connected).length;
    const added = opened.sockets.filter((sock) => sock.connected).length;
    const after = await rssSample(ctx, s);
    const perSocket = added > 0 ? (after - before) / added : Number.NaN;
    notes.unshift(
      `service RSS ${fmt(before)} KiB with ${fmt(stage1.sockets.length)} sockets open, ${fmt(after)} KiB with ${fmt(connected)} (${fmt(ctx.tokens.length)} tokens shared round-robin); growth ÷ ${fmt(added)} added sockets; KB = KiB`,
    );
    notes.push(
      `opening the ${fmt(added)} took ${opened.seconds.toFixed(1)} s (${fmt(added / opened.seconds)}/s); ${describeCpu(cpu, ctx.cores)}`,
    );
    const failures = [...stage1.failures, ...opened.failures];
    if (failures.length > 0 || connected < count)
      notes.push(`wanted ${count}, connected ${connected}; refused: ${failures.join(', ') || 'none'}`);
    ctx.record('memory', `${perSocket.toFixed(1)} KB`, perSocket <= 30 && connected === count, notes);
  } finally {
    closeAll(sockets);
  }
  await sleep(s.settleMs);
  ctx.log(`socket memory: service RSS ${fmt(ctx.service.rssKiB())} KiB after closing them`);
}

module.exports = { name: 'memory', rows, settings, run: socketMemory };
