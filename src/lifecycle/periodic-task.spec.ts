import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { BACKLOG_PAUSE_MS, PeriodicTask, PeriodicTasks, type TaskLogger } from './periodic-task';

const PERIOD = 1_000;

/** Lets the promises of a run settle (setImmediate is not faked). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Work whose runs the test ends by hand, one at a time. */
function controlledWork() {
  const runs: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const work = () => new Promise<void>((resolve, reject) => runs.push({ resolve, reject }));
  return { work, runs };
}

/** Like controlledWork, but each run is ended with whether a backlog is left. */
function controlledWorkReporting() {
  const runs: { resolve: (backlog: boolean) => void }[] = [];
  const work = () => new Promise<boolean>((resolve) => runs.push({ resolve }));
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

describe('PeriodicTask with a backlog', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'setTimeout'] }));
  afterEach(() => mock.timers.reset());

  /** Work that reports a backlog for its first `backlogRuns` runs, then is done; counts its runs. */
  function backlogWork(backlogRuns: number) {
    const counter = { runs: 0 };
    const work = async () => ++counter.runs <= backlogRuns;
    return { work, counter };
  }

  it('follows a run that reports a backlog BACKLOG_PAUSE_MS after it, until a run finds none', async () => {
    assert.ok(BACKLOG_PAUSE_MS < PERIOD / 5, 'the pause is much shorter than a period');
    const { work, counter } = backlogWork(3);
    const task = new PeriodicTask('sweep', PERIOD, work, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD);
    await settle();
    assert.equal(counter.runs, 1);
    mock.timers.tick(BACKLOG_PAUSE_MS - 1);
    await settle();
    assert.equal(counter.runs, 1, 'not before the pause');
    for (const runs of [2, 3, 4]) {
      mock.timers.tick(BACKLOG_PAUSE_MS);
      await settle();
      assert.equal(counter.runs, runs);
    }
    mock.timers.tick(PERIOD - 4 * BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(counter.runs, 4, 'no backlog left: the next run waits for the period');
    mock.timers.tick(3 * BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(counter.runs, 5, 'the regular tick');
    await task.stop();
  });

  it('never overlaps: a follow-up that comes during a run joins it', async () => {
    const { work, runs } = controlledWorkReporting();
    const task = new PeriodicTask('slow', PERIOD, work, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD);
    await settle();
    runs[0].resolve(true);
    await settle();
    mock.timers.tick(BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(runs.length, 2);
    // The regular tick comes while the follow-up still runs: skipped.
    mock.timers.tick(PERIOD - BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(runs.length, 2);
    runs[1].resolve(true);
    await settle();
    mock.timers.tick(BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(runs.length, 3);
    runs[2].resolve(false);
    await task.stop();
  });

  it('does not follow up a failed run, a manual tick of a task not started, or a run that ends after stop', async () => {
    const { logger, lines } = recordingLogger();
    let runs = 0;
    const failing = new PeriodicTask(
      'sweep',
      PERIOD,
      async () => {
        runs++;
        throw new Error('database unavailable');
      },
      logger,
    );
    failing.start();
    mock.timers.tick(PERIOD);
    await settle();
    mock.timers.tick(PERIOD - 1);
    await settle();
    assert.equal(runs, 1, 'a failure waits for the next period');
    assert.equal(lines.length, 1);
    await failing.stop();

    const manual = backlogWork(10);
    const idle = new PeriodicTask('manual', PERIOD, manual.work, logger);
    await idle.tick();
    mock.timers.tick(10 * BACKLOG_PAUSE_MS);
    await settle();
    assert.equal(manual.counter.runs, 1);

    const { work, runs: pending } = controlledWorkReporting();
    const stopped = new PeriodicTask('stopped', PERIOD, work, logger);
    stopped.start();
    mock.timers.tick(PERIOD);
    const stopping = stopped.stop();
    pending[0].resolve(true);
    await stopping;
    mock.timers.tick(10 * PERIOD);
    await settle();
    assert.equal(pending.length, 1);
  });

  it('stop cancels a follow-up that is due', async () => {
    const { work, counter } = backlogWork(10);
    const task = new PeriodicTask('sweep', PERIOD, work, recordingLogger().logger);
    task.start();
    mock.timers.tick(PERIOD);
    await settle();
    await task.stop();
    mock.timers.tick(10 * PERIOD);
    await settle();
    assert.equal(counter.runs, 1);
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

  it('nor does its follow-up after a backlog', async () => {
    const task = new PeriodicTask('busy', 3_600_000, async () => true, recordingLogger().logger);
    task.start();
    try {
      await task.tick();
      const followUp = (task as unknown as { followUp: NodeJS.Timeout }).followUp;
      assert.equal(followUp.hasRef(), false);
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
