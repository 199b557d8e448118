'use strict';
// The benchmark's own MariaDB database and the Gatehouse process under test.
const { spawn, execFileSync } = require('node:child_process');
const { createWriteStream, existsSync, readdirSync, readFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const { createConnection } = require('mysql2/promise');
const { sleep } = require('./stats');

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const QUERY_TIMEOUT_MS = 10_000;
const LOG_TAIL_LINES = 40;

/** Tables whose row writes are counted during the steady-state window. */
const COUNTED_TABLES = ['accounts', 'tokens'];
const COUNTED_OPS = ['insert', 'update', 'delete'];
const GLOBAL_WRITE_COUNTERS = ['Com_insert', 'Com_update', 'Com_delete', 'Com_replace'];

function serverUri(serverUrl, database = '') {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A database owned by the benchmark on a shared MariaDB server: dropped and created afresh,
 * dropped again at the end. Nothing outside it is changed.
 */
class BenchDatabase {
  constructor(serverUrl, name) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`bad database name "${name}"`);
    this.serverUrl = serverUrl;
    this.name = name;
    this.url = serverUri(serverUrl, name);
  }

  async admin(fn) {
    const connection = await createConnection({ uri: serverUri(this.serverUrl), connectTimeout: 5000 });
    try {
      return await fn((sql, params) => connection.query({ sql, timeout: QUERY_TIMEOUT_MS }, params));
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }

  recreate() {
    return this.admin(async (query) => {
      await query(`DROP DATABASE IF EXISTS \`${this.name}\``);
      await query(`CREATE DATABASE \`${this.name}\` CHARACTER SET utf8mb4`);
    });
  }

  drop() {
    return this.admin((query) => query(`DROP DATABASE IF EXISTS \`${this.name}\``));
  }

  /**
   * Counts every row written to the service's tables from now on, with triggers that live in
   * this database only (performance_schema and userstat are off on the shared server, and
   * turning them on would reconfigure it). The count is exact and ignores other databases.
   */
  startCountingWrites() {
    return this.admin(async (query) => {
      await query(`USE \`${this.name}\``);
      await query(
        'CREATE TABLE IF NOT EXISTS bench_writes (tbl VARCHAR(32) NOT NULL, op VARCHAR(8) NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (tbl, op))',
      );
      await query('DELETE FROM bench_writes');
      for (const table of COUNTED_TABLES) {
        for (const op of COUNTED_OPS) {
          await query(`DROP TRIGGER IF EXISTS bench_${table}_${op}`);
          await query(
            `CREATE TRIGGER bench_${table}_${op} AFTER ${op.toUpperCase()} ON \`${table}\` FOR EACH ROW ` +
              `INSERT INTO bench_writes (tbl, op, n) VALUES ('${table}', '${op}', 1) ON DUPLICATE KEY UPDATE n = n + 1`,
          );
        }
      }
    });
  }

  /** Removes the triggers and returns the rows written since startCountingWrites. */
  stopCountingWrites() {
    return this.admin(async (query) => {
      await query(`USE \`${this.name}\``);
      for (const table of COUNTED_TABLES) {
        for (const op of COUNTED_OPS) await query(`DROP TRIGGER IF EXISTS bench_${table}_${op}`);
      }
      const [rows] = await query('SELECT tbl, op, n FROM bench_writes ORDER BY tbl, op');
      return rows.map((r) => ({ table: r.tbl, op: r.op, rows: Number(r.n) }));
    });
  }

  /** The server-wide statement counters: every client of the shared server moves them. */
  globalWriteCounters() {
    return this.admin(async (query) => {
      const [rows] = await query(
        `SHOW GLOBAL STATUS WHERE Variable_name IN (${GLOBAL_WRITE_COUNTERS.map(() => '?').join(', ')})`,
        GLOBAL_WRITE_COUNTERS,
      );
      return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    });
  }
}

/** A TCP port of 127.0.0.1 that nothing listens on at the moment of asking. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** `node <entry>` as a child process, with the last lines of its output kept for error reports. */
class ServiceProcess {
  constructor({ entry, cwd, env, nodeArgs = [], logFile }) {
    this.entry = entry;
    this.cwd = cwd;
    this.env = env;
    this.nodeArgs = nodeArgs;
    this.logFile = logFile;
    this.tail = [];
    this.child = null;
    this.exited = null;
    this.stopping = false;
    this.onUnexpectedExit = () => undefined;
  }

  get pid() {
    return this.child?.pid;
  }

  get running() {
    return this.child !== null && this.exited === null;
  }

  start() {
    const child = spawn(process.execPath, [...this.nodeArgs, this.entry], {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const log = this.logFile ? createWriteStream(this.logFile) : null;
    const keep = (chunk) => {
      log?.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.tail.push(line);
        if (this.tail.length > LOG_TAIL_LINES) this.tail.shift();
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exitedPromise = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        log?.end();
        if (!this.stopping) this.onUnexpectedExit(this.exited);
        resolve(this.exited);
      });
    });
    child.on('error', (error) => this.tail.push(`spawn error: ${error.message}`));
  }

  /** Resolves once GET /health answers 200; rejects if the process dies or time runs out. */
  async waitReady(baseUrl, timeoutMs = READY_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the service exited during start-up (${describeExit(this.exited)})`);
      try {
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`GET /health did not answer 200 within ${timeoutMs / 1000} s`);
  }

  /** Resident set size of the service process, in KiB (Linux /proc). */
  rssKiB() {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match) throw new Error('VmRSS not found in /proc/<pid>/status');
    return Number(match[1]);
  }

  /** SIGTERM, then SIGKILL after a grace period. Safe to call more than once. */
  async stop() {
    this.stopping = true;
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killNow(), STOP_GRACE_MS);
    await this.exitedPromise;
    clearTimeout(timer);
  }

  /** The last resort, usable from a process 'exit' handler (synchronous). */
  killNow() {
    this.stopping = true;
    if (this.running) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

let clockTicks = null;
function ticksPerSecond() {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** user + system clock ticks of one /proc/<pid>[/task/<tid>]/stat line. */
function statTicks(path) {
  const text = readFileSync(path, 'utf8');
  // The command name (field 2) may contain spaces; the fields after it are fixed.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Where the CPU time goes, as cumulative seconds: the whole machine (busy, not idle), the
 * service's main thread, its other threads (the bcrypt worker pool, GC and libuv helpers), and
 * this benchmark process. Linux /proc only; null elsewhere.
 */
function cpuSample(pid) {
  try {
    const hz = ticksPerSecond();
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
    let main = 0;
    let other = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let ticks = 0;
      try {
        ticks = statTicks(`/proc/${pid}/task/${tid}/stat`);
      } catch {
        continue; // the thread ended meanwhile
      }
      if (tid === String(pid)) main += ticks;
      else other += ticks;
    }
    const bench = process.cpuUsage();
    return {
      wall: performance.now() / 1000,
      machine: (user + nice + system + irq + softirq + steal) / hz,
      serviceMain: main / hz,
      serviceOther: other / hz,
      bench: (bench.user + bench.system) / 1e6,
      idle: (idle + iowait) / hz,
    };
  } catch {
    return null;
  }
}

/**
 * Average cores used between two samples, per consumer. A thread that ended between the
 * samples drops out of the second one, so service figures are a lower bound.
 */
function cpuBetween(a, b) {
  if (!a || !b) return null;
  const wall = b.wall - a.wall;
  const cores = (key) => (b[key] - a[key]) / wall;
  const machine = cores('machine');
  const serviceMain = cores('serviceMain');
  const serviceOther = Math.max(0, cores('serviceOther'));
  const bench = cores('bench');
  return {
    wall,
    machine,
    serviceMain,
    serviceOther,
    bench,
    rest: Math.max(0, machine - serviceMain - serviceOther - bench),
    serviceOtherSeconds: Math.max(0, b.serviceOther - a.serviceOther),
    serviceMainSeconds: b.serviceMain - a.serviceMain,
  };
}

function describeCpu(c, cores) {
  if (!c) return 'CPU use not available';
  const f = (x) => x.toFixed(2);
  return (
    `cores busy on average: machine ${f(c.machine)} of ${cores}; service main thread ${f(c.serviceMain)}, ` +
    `service other threads (bcrypt pool, GC) ${f(c.serviceOther)}; bench process ${f(c.bench)}; ` +
    `everything else (the database server, other processes) ${f(c.rest)}`
  );
}

function describeExit(exited) {
  if (!exited) return 'still running';
  return exited.signal ? `signal ${exited.signal}` : `exit code ${exited.code}`;
}

/** The file descriptor soft limit of this process (the service inherits it). */
function openFileLimit() {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match) return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
  } catch {
    // not Linux
  }
  return Number.NaN;
}

/** Where the built service is, relative to the repository root. */
function serviceEntry(root) {
  const entry = process.env.BENCH_SERVICE_ENTRY || join(root, 'dist', 'main.js');
  return existsSync(entry) ? entry : null;
}

module.exports = {
  BenchDatabase,
  ServiceProcess,
  freePort,
  openFileLimit,
  serviceEntry,
  describeExit,
  cpuSample,
  cpuBetween,
  describeCpu,
};
