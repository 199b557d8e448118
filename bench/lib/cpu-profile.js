'use strict';
/*
 * Preloaded into the service (node -r bench/cpu-profile.js dist/main.js) when BENCH_CPU_PROFILE
 * names a folder. SIGWINCH toggles a CPU profile of the main thread: the first starts sampling
 * (unless BENCH_CPU_PROFILE_AT_START=1 started it at load), the next writes
 * <folder>/service-<pid>-<n>.cpuprofile (Chrome DevTools or speedscope open it) and then an
 * empty <file>.done marker. SIGWINCH, because Nest's shutdown hooks take SIGUSR2 (and most other
 * signals) as a request to shut down. `node --cpu-prof` does not fit: the service leaves on
 * SIGTERM by re-raising the signal, which skips the write at exit.
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_CPU_PROFILE;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  let running = false;
  let written = 0;
  const start = () => {
    running = true;
    session.post('Profiler.enable', () => {
      session.post('Profiler.setSamplingInterval', { interval: 500 }, () => session.post('Profiler.start'));
    });
  };
  const stop = () => {
    running = false;
    session.post('Profiler.stop', (error, result) => {
      const file = join(dir, `service-${process.pid}-${++written}.cpuprofile`);
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
      writeFileSync(`${file}.done`, error ? String(error) : '');
    });
  };
  if (process.env.BENCH_CPU_PROFILE_AT_START === '1') start();
  process.on('SIGWINCH', () => (running ? stop() : start()));
}
