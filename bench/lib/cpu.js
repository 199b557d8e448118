'use strict';
// Where the CPU time goes during a phase, from Linux /proc.
const { execFileSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');

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

module.exports = { cpuSample, cpuBetween, describeCpu };
