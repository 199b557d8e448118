'use strict';
/*
 * Preloaded into the service (node -r bench/cpu-profile.js dist/main.js) when BENCH_CPU_PROFILE
 * names a folder: samples the main thread from start-up and, on SIGUSR2, writes
 * <folder>/service-<pid>.cpuprofile (open it in Chrome DevTools or speedscope) and then an
 * empty <file>.done marker. `node --cpu-prof` cannot be used: the service leaves on SIGTERM by
 * re-raising the signal, which skips the profile write at exit.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable', () => {
    session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start'));
  });
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      const file = join(dir, `service-${process.pid}.cpuprofile`);
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
      writeFileSync(`${file}.done`, error ? String(error) : '');
    });
  });
}
