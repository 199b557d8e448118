'use strict';
/*
 * CPU profiles of the service's main thread, on request. With BENCH_CPU_PROFILE=dir the service
 * runs with cpu-profile.js preloaded; SIGWINCH toggles its profiler (see that file), and each
 * profile lands in dir/service-<pid>-<n>.cpuprofile. With BENCH_CPU_PROFILE_PHASE=<phase> only
 * that phase's measured part is profiled, otherwise the whole run.
 */
const { existsSync, mkdirSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { sleep } = require('./stats');

class Profiler {
  constructor(log) {
    this.log = log;
    this.dir = process.env.BENCH_CPU_PROFILE ? resolve(process.env.BENCH_CPU_PROFILE) : null;
    this.phase = process.env.BENCH_CPU_PROFILE_PHASE || null;
    this.written = 0;
    this.running = false;
  }

  /** Adds what the service needs to `nodeArgs` and `env`. */
  prepare(nodeArgs, env) {
    if (!this.dir) return;
    mkdirSync(this.dir, { recursive: true });
    nodeArgs.push('-r', join(__dirname, 'cpu-profile.js'));
    env.BENCH_CPU_PROFILE = this.dir;
    env.BENCH_CPU_PROFILE_AT_START = this.phase ? '0' : '1';
    this.running = !this.phase;
  }

  /** Runs `fn`, under the profiler when the profiled phase is `phase`. */
  async around(service, phase, fn) {
    if (!this.dir || this.phase !== phase) return fn();
    await this.toggle(service);
    try {
      return await fn();
    } finally {
      await this.toggle(service);
    }
  }

  /** Writes the whole-run profile, if one is being taken. */
  async finish(service) {
    if (this.running && service.running) await this.toggle(service);
  }

  async toggle(service) {
    process.kill(service.pid, 'SIGWINCH');
    if (!this.running) {
      this.running = true;
      await sleep(100);
      return;
    }
    this.running = false;
    const file = join(this.dir, `service-${service.pid}-${++this.written}.cpuprofile`);
    const deadline = Date.now() + 15_000;
    while (!existsSync(`${file}.done`) && Date.now() < deadline) await sleep(100);
    this.log(
      existsSync(`${file}.done`) ? `CPU profile of the service: ${file}` : 'the CPU profile was not written in time',
    );
  }
}

module.exports = { Profiler };
