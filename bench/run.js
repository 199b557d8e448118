#!/usr/bin/env node
'use strict';
/*
 * Gatehouse benchmark. Starts the built service (dist/main.js) on a MariaDB (default) or
 * PostgreSQL database of its own, drives it from this process over 127.0.0.1, prints one table
 * (figure | value | goal | met) and, for a full run, writes it with its charts into
 * BENCHMARKS.md. Every load is bounded in count and in time. The phases are in bench/phases/.
 *
 *   npm run bench [-- --db mariadb|postgres] [-- --soak [minutes]]
 *
 * Environment (all optional):
 *   BENCH_SMOKE=1            every phase tiny: proves the script works, measures nothing
 *   BENCH_ONLY=a,b           run only these phases (their names: bench/phases/index.js)
 *   BENCH_RESULTS=file       where the table goes (default BENCHMARKS.md for a full run, nowhere for a smoke run)
 *   BENCH_CHARTS=dir         where the charts go (default docs/bench beside BENCH_RESULTS)
 *   BENCH_REDIS_URL          Redis for the two-instance phase (default redis://127.0.0.1:6379; keys under a prefix of their own)
 *   BENCH_MARIADB_URL        server to use with --db mariadb (default mysql://root@127.0.0.1:3306)
 *   BENCH_POSTGRES_URL       server to use with --db postgres (default postgres://postgres@127.0.0.1:5432)
 *   BENCH_DATABASE           database to drop, create and use (default gatehouse_bench)
 *   BENCH_KEEP_DATABASE=1    leave the database in place at the end
 *   BCRYPT_COST              cost for the service and for the reference hash (default 10)
 *   BENCH_SERVICE_ENTRY      the service's entry script (default dist/main.js)
 *   BENCH_SERVICE_LOG=path   write the service's whole output there
 *   BENCH_CPU_PROFILE=dir    profile the service's main thread (see lib/profiler.js)
 *   BENCH_CPU_PROFILE_PHASE  only the measured part of this phase
 *   BENCH_HEAP_SNAPSHOTS=dir with --soak: heap snapshots of the service as the soak's window opens and at its end
 */
const { dirname, join, relative, resolve } = require('node:path');
const { Table } = require('./lib/table');
const { machineHeader } = require('./lib/machine');
const { exitAfterCleanup, startRun } = require('./lib/session');
const { sleep } = require('./lib/stats');

const ROOT = resolve(__dirname, '..');
const SMOKE = process.env.BENCH_SMOKE === '1';

const PHASES = require('./phases');

const ENGINES = {
  mariadb: { label: 'MariaDB', server: process.env.BENCH_MARIADB_URL || 'mysql://root@127.0.0.1:3306' },
  postgres: { label: 'PostgreSQL', server: process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432' },
};

function parseArgs(argv) {
  const dbAt = argv.indexOf('--db');
  const engine = dbAt === -1 ? 'mariadb' : argv[dbAt + 1];
  if (!(engine in ENGINES)) fail(`--db must be one of ${Object.keys(ENGINES).join(', ')}`, 2);
  const soakAt = argv.indexOf('--soak');
  let soakMinutes = null;
  if (soakAt !== -1) {
    const given = argv[soakAt + 1];
    soakMinutes = given === undefined || given.startsWith('--') ? 30 : Number(given);
    if (!(soakMinutes > 0 && soakMinutes <= 240)) fail('--soak takes a length in minutes, 1 to 240', 2);
  }
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const names = PHASES.map((p) => p.name);
  for (const name of only) {
    if (!names.includes(name)) fail(`unknown phase "${name}" in BENCH_ONLY (phases: ${names.join(', ')})`, 1);
  }
  return { engine, soakMinutes, only };
}

function fail(message, code) {
  console.error(`bench: ${message}`);
  process.exit(code);
}

/** Where the table and the charts are written, or null when they are only printed. */
function outputs() {
  const results = process.env.BENCH_RESULTS || (SMOKE ? null : join(ROOT, 'BENCHMARKS.md'));
  if (!results) return null;
  return {
    results: resolve(results),
    charts: resolve(process.env.BENCH_CHARTS || join(dirname(results), 'docs', 'bench')),
  };
}

async function main() {
  const { engine, soakMinutes, only } = parseArgs(process.argv.slice(2));
  // The soak runs alone (README of bench/phases/soak.js): 30 minutes by default.
  const SOAK = soakMinutes === null ? null : require('./phases/soak');
  const phases = SOAK ? [SOAK] : PHASES;
  const mode = SMOKE ? 'smoke' : 'full';
  // The run's own bound, whatever happens: the phases' bounds plus a margin.
  const limitMinutes = soakMinutes === null ? (SMOKE ? 4 : 75) : soakMinutes + 15;
  const run = await startRun({ root: ROOT, engine: ENGINES[engine], smoke: SMOKE, limitMinutes });
  const table = new Table(phases.flatMap((p) => p.rows));
  run.ctx.record = (...args) => table.record(...args);
  run.ctx.chart = (...args) => table.chart(...args);

  let failed = false;
  for (const phase of phases) {
    const keys = phase.rows.map((r) => r.key);
    if (only.length > 0 && !only.includes(phase.name) && phase !== SOAK) {
      table.mark(keys, 'skipped');
      continue;
    }
    try {
      run.ctx.phase = phase.name;
      const settings =
        phase === SOAK ? { ...phase.settings[mode], minutes: SMOKE ? 0.25 : soakMinutes } : phase.settings[mode];
      await phase.run(run.ctx, settings);
    } catch (error) {
      failed = true;
      run.ctx.log(`phase ${phase.name} failed: ${error.stack ?? error.message}`);
      table.mark(keys, `error: ${error.message}`, 'no');
    }
    await sleep(SMOKE ? 100 : 1000);
  }

  const header = await machineHeader(run, { smoke: SMOKE, soakMinutes });
  process.stdout.write(`${table.markdown(header).join('\n')}\n`);
  const out = outputs();
  if (out) {
    const section = soakMinutes === null ? engine : `soak-${engine}`;
    table.write(out.results, out.charts, section, header);
    run.ctx.log(
      `wrote the table into ${relative(process.cwd(), out.results) || out.results}, charts into ${relative(process.cwd(), out.charts) || out.charts}`,
    );
  }
  if (run.service.tail.some((line) => /"level":"(error|fatal)"/.test(line))) {
    run.ctx.log(`the service logged errors; its last output:\n${run.service.tail.join('\n')}`);
  }
  run.exit(failed ? 1 : 0);
}

main().catch((error) => {
  console.error(`bench: ${error.stack ?? error.message}`);
  exitAfterCleanup(1);
});
