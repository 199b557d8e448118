import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { MARIADB_SKIP, POSTGRES_SKIP } from './support/engines';

/**
 * The benchmark script (bench/run.js) works at all: a smoke run (every phase tiny) prints the
 * whole table and leaves nothing behind. No figure or time is asserted. It runs the service as
 * this test build compiled it (build/src/main.js), since the test run does not build dist/.
 */
const ROOT = join(__dirname, '..', '..');
const BENCH = join(ROOT, 'bench', 'run.js');
const SERVICE = join(__dirname, '..', 'src', 'main.js');
const MARIADB_URL = process.env.TEST_MARIADB_URL || 'mysql://root@127.0.0.1:3306';
const POSTGRES_URL = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432';
/** Prose that names the marker inline: only a marker on a line of its own is the run's. */
const RESULTS_INTRO =
  '# Results\n\nWritten by hand; a run writes after `<!-- bench:mariadb:start -->`, on a line of its own.\n';
/** A smoke run takes about 10 s here; the bound only keeps a hang from blocking the suite. */
const RUN_TIMEOUT_MS = 150_000;
const TEST_TIMEOUT = { timeout: RUN_TIMEOUT_MS + 30_000 };

interface PhaseModule {
  name: string;
  rows: { key: string; figure: string; goal: string }[];
}
/** Every row of every phase, in order: the table must show each one with a value and a verdict. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the benchmark is plain CommonJS outside the build
const PHASES = require(join(ROOT, 'bench', 'phases', 'index.js')) as PhaseModule[];
const FIGURES: [string, string][] = PHASES.flatMap((phase) =>
  phase.rows.map((r): [string, string] => [r.figure, r.goal]),
);

interface BenchRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the benchmark in its own process with the given variables. `interruptWhen` sends SIGINT
 * the first time stderr matches it.
 */
function runBench(env: Record<string, string>, interruptWhen?: RegExp, args: string[] = []): Promise<BenchRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BENCH, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_MARIADB_URL: MARIADB_URL,
        BENCH_POSTGRES_URL: POSTGRES_URL,
        BCRYPT_COST: '4',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      if (interruptWhen && !interrupted && interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The port the benchmark started the service on, from its progress output. */
function servicePort(run: BenchRun): number {
  const match = /starting \S+ on port (\d+)/.exec(run.stderr);
  assert.ok(match, `no start line in:\n${run.stderr}`);
  return Number(match[1]);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function databaseExists(name: string): Promise<boolean> {
  const connection = await createConnection({ uri: MARIADB_URL, connectTimeout: 5000 });
  try {
    const [rows] = await connection.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
      name,
    ]);
    return (rows as unknown[]).length > 0;
  } finally {
    await connection.end();
  }
}

async function postgresDatabaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: `${POSTGRES_URL}/postgres`, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rows.length > 0;
  } finally {
    await client.end();
  }
}

/** The table's rows, each with a value and a verdict. */
function assertTable(stdout: string): void {
  const lines = stdout.split('\n');
  const header = lines.indexOf('| figure | value | goal | met |');
  assert.ok(header >= 0, `no table header in:\n${stdout}`);
  assert.equal(lines[header + 1], '|---|---|---|---|');
  const rows = lines.slice(header + 2, header + 2 + FIGURES.length);
  FIGURES.forEach(([figure, goal], i) => {
    const cells = rows[i]?.split(' | ');
    assert.ok(cells, `row ${figure} missing`);
    assert.equal(cells[0], `| ${figure}`);
    assert.doesNotMatch(cells[1], /^(error|not run|skipped|NaN)/, rows[i]);
    assert.equal(cells[2], goal);
    assert.match(cells[3], /^(yes|no|-) \|$/);
  });
  assert.equal(lines[header + 2 + FIGURES.length], '', 'more rows than the figures');
}

describe('npm run bench', () => {
  it('refuses with one line pointing at npm run build when the built service is missing', TEST_TIMEOUT, async () => {
    const run = await runBench({ BENCH_SERVICE_ENTRY: join(ROOT, 'no-such-dist', 'main.js') });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^bench: \S*no-such-dist\/main\.js not found: run `npm run build` first\n$/);
  });

  describe('on MariaDB', { skip: MARIADB_SKIP }, () => {
    it(
      'completes a smoke run, prints every row of the table, stops the service and drops its database',
      TEST_TIMEOUT,
      async () => {
        const database = `gatehouse_bench_smoke_${process.pid}`;
        const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
        const results = join(dir, 'RESULTS.md');
        writeFileSync(results, RESULTS_INTRO);
        const run = await runBench({
          BENCH_SMOKE: '1',
          BENCH_SERVICE_ENTRY: SERVICE,
          BENCH_DATABASE: database,
          BENCH_RESULTS: results,
        });
        assert.equal(run.signal, null, `killed; stderr:\n${run.stderr}`);
        assert.equal(run.code, 0, `exit ${run.code}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
        assertTable(run.stdout);
        assert.match(run.stdout, /^- machine: \d+ cores /m);
        assert.match(run.stdout, /^- versions: Node v\d+\.\d+\.\d+, MariaDB \d+\./m);
        // The table went into the results file between its markers; what was there before stays.
        const written = readFileSync(results, 'utf8');
        assert.ok(written.startsWith(RESULTS_INTRO), written);
        const block = /<!-- bench:mariadb:start -->\n([\s\S]*)\n<!-- bench:mariadb:end -->/.exec(written);
        assert.ok(block, `no bench:mariadb block in:\n${written}`);
        assertTable(block[1]);
        assert.equal(await listening(servicePort(run)), false, 'the service is still listening after the run');
        assert.equal(await databaseExists(database), false, 'the benchmark database was left behind');
      },
    );

    it('stops the service and drops its database when interrupted with SIGINT', TEST_TIMEOUT, async () => {
      const database = `gatehouse_bench_sigint_${process.pid}`;
      const run = await runBench(
        { BENCH_SMOKE: '1', BENCH_SERVICE_ENTRY: SERVICE, BENCH_DATABASE: database },
        /auth: warm-up/,
      );
      assert.equal(run.code, 130, `exit ${run.code} (signal ${run.signal}); stderr:\n${run.stderr}`);
      assert.match(run.stderr, /interrupted: stopping the service/);
      assert.doesNotMatch(run.stdout, /\| figure \|/);
      assert.equal(await listening(servicePort(run)), false, 'the service is still listening after the interrupt');
      assert.equal(await databaseExists(database), false, 'the benchmark database was left behind');
    });
  });

  describe('on PostgreSQL (--db postgres)', { skip: POSTGRES_SKIP }, () => {
    it(
      'completes a smoke run, prints every row of the table, stops the service and drops its database',
      TEST_TIMEOUT,
      async () => {
        const database = `gatehouse_bench_smoke_${process.pid}`;
        const env = { BENCH_SMOKE: '1', BENCH_SERVICE_ENTRY: SERVICE, BENCH_DATABASE: database };
        const run = await runBench(env, undefined, ['--db', 'postgres']);
        assert.equal(run.code, 0, `exit ${run.code}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
        assertTable(run.stdout);
        assert.match(run.stdout, /^- versions: Node v\S+, PostgreSQL \d+/m);
        assert.equal(await listening(servicePort(run)), false, 'the service is still listening after the run');
        assert.equal(await postgresDatabaseExists(database), false, 'the benchmark database was left behind');
      },
    );

    it('refuses an unknown --db with one line', TEST_TIMEOUT, async () => {
      const run = await runBench({}, undefined, ['--db', 'oracle']);
      assert.equal(run.code, 2);
      assert.equal(run.stderr, 'bench: --db must be one of mariadb, postgres\n');
    });
  });
});
