import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { PeriodicTask, PeriodicTasks, type TaskLogger } from './periodic-task';

const PERIOD = 1_000;

/** Lets the promises of a run settle (setImmediate is not faked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Work whose runs the test ends by hand, one at a time. */
function controlledWork() {
  const runs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const work = () => new Promise<void>((resolve, reject) => runs.push({ resolve, reject }));
  return { work, runs };
}

function recordingLogger() {
  const lines: string[] = [];
  const logger: TaskLogger = {
    log: (message: unknown) => void lines.push(`log: ${String(message)}`),
    warn: (message: unknown) => void lines.push(`warn: ${String(message)}`),
  };
  return { logger, lines };
}

describe('PeriodicTask', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('runs the work once per period until stopped', async () => {
    let count = 0;
    const task = new PeriodicTask('count', PERIOD, async () => void count++, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD - 1);
    assert.equal(count, 0);
    mock.timers.tick(1);
    await settle();
    assert.equal(count, 1);
    mock.timers.tick(PERIOD);
    await settle();
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(count, 3);
    await task.stop();
    mock.timers.tick(10 * PERIOD);
    await settle();
    assert.equal(count, 3);
  });

  it('skips the ticks that come while a run is still going', async () => {
    const { work, runs } = controlledWork();
    const task = new PeriodicTask('slow', PERIOD, work, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD);
    mock.timers.tick(PERIOD);
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(runs.length, 1, 'one run, the other ticks skipped');
    runs[0].resolve();
    await settle();
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(runs.length, 2, 'the next tick after the run ended runs again');
    runs[1].resolve();
    await task.stop();
  });

  it('logs one line when failures start and one when the work succeeds again, not one per tick', async () => {
    const { logger, lines } = recordingLogger();
    let fail = true;
    const task = new PeriodicTask(
      'sweep',
      PERIOD,
      async () => {
        if (fail) throw new Error('database unavailable');
      },
      logger,
    );
    task.start();
    for (let i = 0; i < 5; i++) {
      mock.timers.tick(PERIOD);
      await settle();
    }
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0], /^warn: sweep failed \(database unavailable\)/);
    fail = false;
    for (let i = 0; i < 3; i++) {
      mock.timers.tick(PERIOD);
      await settle();
    }
    assert.deepEqual(lines.slice(1), ['log: sweep works again']);
    fail = true;
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(lines.length, 3, 'a new outage is told again');
    assert.match(lines[2], /^warn: sweep failed/);
    await task.stop();
  });

  it('tick runs at once and never rejects; a tick during a run joins it', async () => {
    const { work, runs } = controlledWork();
    const { logger, lines } = recordingLogger();
    const task = new PeriodicTask('manual', PERIOD, work, logger);
    const first = task.tick();
    const second = task.tick();
    assert.equal(first, second);
    assert.equal(runs.length, 1);
    runs[0].reject(new Error('boom'));
    await first;
    assert.equal(lines.length, 1);
  });

  it('stop waits for the run under way', async () => {
    const { work, runs } = controlledWork();
    const task = new PeriodicTask('slow', PERIOD, work, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false);
    runs[0].resolve();
    await stopping;
    assert.equal(stopped, true);
  });
});

describe('PeriodicTask timer', () => {
  it('does not keep the process alive', async () => {
    const task = new PeriodicTask('idle', 3_600_000, async () => undefined, recordingLogger().logger);
    task.start();
    try {
      const timer = (task as unknown as { timer: NodeJS.Timeout }).timer;
      assert.equal(timer.hasRef(), false);
    } finally {
      await task.stop();
    }
  });
});

describe('PeriodicTasks', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('names its tasks, refuses a second task of one name, and stops them all at shutdown', async () => {
    const tasks = new PeriodicTasks();
    let a = 0;
    const { work, runs } = controlledWork();
    tasks.start('a', PERIOD, async () => void a++);
    tasks.start('b', PERIOD, work);
    assert.throws(() => tasks.start('a', PERIOD, async () => undefined), /already running/);
    assert.deepEqual(tasks.names, ['a', 'b']);
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(a, 1);
    let stopped = false;
    const shutdown = tasks.beforeApplicationShutdown().then(() => (stopped = true));
    await settle();
    assert.equal(stopped, false, 'waits for the run of b under way');
    runs[0].resolve();
    await shutdown;
    assert.deepEqual(tasks.names, []);
    mock.timers.tick(10 * PERIOD);
    await settle();
    assert.equal(a, 1);
    assert.equal(runs.length, 1);
  });
});
