'use strict';
// The Gatehouse process under test, and where to find it.
const { execFileSync, spawn } = require('node:child_process');
const { createWriteStream, existsSync, readFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const { sleep } = require('./stats');

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

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

/**
 * `node <entry>` as a child process, with the last lines of its output kept for error reports.
 * It runs with probe.js preloaded (`--expose-gc` and an IPC channel), so that memory() can ask
 * it for its heap after a full collection.
 */
class ServiceProcess {
  constructor({ entry, cwd, env, nodeArgs = [], logFile }) {
    this.entry = entry;
    this.probes = new Map();
    this.probeIds = 0;
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
    const args = ['--expose-gc', '-r', join(__dirname, 'probe.js'), ...this.nodeArgs, this.entry];
    const child = spawn(process.execPath, args, {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.on('message', (message) => {
      const waiting = this.probes.get(message?.id);
      if (!waiting) return;
      this.probes.delete(message.id);
      waiting(message);
    });
    child.channel?.unref();
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

  /**
   * The service's memory as it reports it (process.memoryUsage(), in bytes) after a full
   * garbage collection when `gc` is true; rejects after 10 s without an answer. With
   * `snapshot` (a file path), the service first writes a V8 heap snapshot there (60 s allowed).
   */
  memory({ gc = true, snapshot } = {}) {
    const id = ++this.probeIds;
    const waitMs = snapshot ? 60_000 : 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error(`the service did not report its memory within ${waitMs / 1000} s`));
      }, waitMs);
      this.probes.set(id, (message) => {
        clearTimeout(timer);
        resolve(message.memory);
      });
      this.child.send({ id, gc, ...(snapshot ? { snapshot } : {}) });
    });
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

/**
 * Raises this process's descriptor limit (soft and hard) to `wanted` with prlimit(1), which
 * only root may do; the service, started later, inherits it. Returns the limit in force after.
 */
function raiseOpenFileLimit(wanted) {
  if (openFileLimit() >= wanted) return openFileLimit();
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  } catch {
    // not root, or no prlimit: the phases that need many sockets measure what fits
  }
  return openFileLimit();
}

/** Where the built service is, relative to the repository root. */
function serviceEntry(root) {
  const entry = process.env.BENCH_SERVICE_ENTRY || join(root, 'dist', 'main.js');
  return existsSync(entry) ? entry : null;
}

module.exports = { ServiceProcess, freePort, openFileLimit, serviceEntry, describeExit, raiseOpenFileLimit };
