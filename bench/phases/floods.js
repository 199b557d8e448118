'use strict';
/*
 * Floods (CONTRACT section 23): while one hostile client floods the service from a process of
 * its own, GET /health from another client at a fixed rate must stay fast. Two floods:
 * - one socket.io connection with a valid token sending `whoami` frames as fast as it can
 *   (refused beyond SOCKET_EVENT_RATE, disconnected after five seconds of it, connecting again);
 * - one HTTP connection pipelining GET /api/auth/me with random tokens (refused with 401, then
 *   with 429 once its address is over TOKEN_FAILURES_PER_MINUTE).
 * The flooder leaves from 127.0.0.2, so that the per-address limit it runs into is not the
 * probe's, nor the later phases'. Several rounds; the figure is the median of the rounds' p99.
 */
const { spawn } = require('node:child_process');
const os = require('node:os');
const { join } = require('node:path');
const { pacedProbe } = require('../lib/http-load');
const { cpuBetween, describeCpu } = require('../lib/cpu');
const { fmt, sleep, spread } = require('../lib/stats');

const FLOOD = join(__dirname, '..', 'lib', 'flood.js');
const FLOODER_ADDRESS = '127.0.0.2';

const settings = {
  smoke: { rate: 20, connections: 2, seconds: 1, leadMs: 200, rounds: 1, maxFrames: 20_000, maxRequests: 2_000 },
  full: { rate: 100, connections: 4, seconds: 8, leadMs: 500, rounds: 3, maxFrames: 5_000_000, maxRequests: 400_000 },
};

const rows = [
  { key: 'flood-socket', figure: 'p99 of GET /health during a socket event flood', goal: '≤ 100 ms' },
  { key: 'flood-tokens', figure: 'p99 of GET /health during a refused-token flood', goal: '≤ 100 ms' },
];

/** Starts the flooder; resolves to its outcome (its one JSON line) once it has exited. */
function startFlooder(args) {
  const child = spawn(process.execPath, [FLOOD, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk.toString('utf8')));
  const outcome = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(output));
      } catch {
        reject(new Error(`the flooder exited with ${code} and no outcome: ${output.slice(0, 200)}`));
      }
    });
  });
  return { go: () => child.stdin.end('go\n'), outcome, kill: () => child.kill('SIGKILL') };
}

async function round(ctx, s, floodArgs) {
  const flooder = startFlooder(floodArgs);
  try {
    flooder.go();
    await sleep(s.leadMs); // let the flood get going first
    const before = ctx.cpu();
    const load = os.loadavg()[0];
    const probe = await ctx.measured(() =>
      pacedProbe({ url: `${ctx.baseUrl}/health`, connections: s.connections, rate: s.rate, seconds: s.seconds }),
    );
    const cpu = cpuBetween(before, ctx.cpu());
    return { probe, flood: await flooder.outcome, cpu, load };
  } finally {
    flooder.kill();
  }
}

async function measure(ctx, s, key, label, floodArgs, describeFlood) {
  const rounds = [];
  for (let i = 0; i < s.rounds; i++) {
    ctx.log(`floods: ${label}, round ${i + 1}/${s.rounds}: GET /health at ${s.rate}/s for ${s.seconds} s`);
    rounds.push(await round(ctx, s, floodArgs()));
    await sleep(s.leadMs);
  }
  const p99 = spread(
    rounds.map((r) => r.probe.p99),
    { decimals: 1, unit: 'rounds', suffix: ' ms' },
  );
  const bad = rounds.reduce((n, r) => n + r.probe.non2xx + r.probe.errors + r.probe.timeouts, 0);
  const notes = [
    `${s.rounds} rounds of ${s.seconds} s at ${s.rate}/s over ${s.connections} connections: p50 ${rounds
      .map((r) => r.probe.p50)
      .join(', ')} ms, p99 ${rounds.map((r) => r.probe.p99).join(', ')} ms, max ${rounds
      .map((r) => r.probe.max)
      .join(
        ', ',
      )} ms; one-minute load average as each round began ${rounds.map((r) => r.load.toFixed(2)).join(', ')} on ${ctx.cores} cores`,
    ...rounds.map((r, i) => `round ${i + 1}: ${describeFlood(r.flood)}`),
    `last round: ${describeCpu(rounds.at(-1).cpu, ctx.cores)}`,
  ];
  if (bad > 0) notes.push(`failed or non-2xx GET /health responses: ${bad}`);
  ctx.record(key, p99.text, p99.median <= 100 && bad === 0, notes);
}

async function run(ctx, s) {
  // An account of its own: the flood's socket is nobody else's.
  const token = await ctx.api.register(`bench_flood_${Date.now().toString(36)}`, 'flood-password-1');
  const floodSeconds = String((s.leadMs + s.seconds * 1000 + 500) / 1000);
  await measure(
    ctx,
    s,
    'flood-socket',
    'socket event flood',
    () => ['socket', ctx.baseUrl, token, floodSeconds, String(s.maxFrames), FLOODER_ADDRESS],
    (f) =>
      `flooder sent ${fmt(f.sent)} whoami frames over ${f.connections} connection(s) in ${f.seconds} s, ${fmt(f.refusals)} refused; disconnected ${f.disconnects.length} time(s)${f.disconnects.length ? `, ${f.disconnects.map((d) => `${d.afterFirstRefusalMs} ms`).join(', ')} after the connection's first refusal` : ''}${f.error ? `; error ${f.error}` : ''}`,
  );
  await measure(
    ctx,
    s,
    'flood-tokens',
    'refused-token flood',
    () => ['tokens', ctx.baseUrl, floodSeconds, String(s.maxRequests), FLOODER_ADDRESS],
    (f) =>
      `flooder pipelined ${fmt(f.sent)} GET /api/auth/me with random tokens in ${f.seconds} s on one connection, ${fmt(f.answered)} answered: ${Object.entries(
        f.statuses,
      )
        .map(([status, n]) => `${fmt(n)} × ${status}`)
        .join(', ')}${f.error ? `; error ${f.error}` : ''}`,
  );
}

module.exports = { name: 'floods', rows, settings, run };
