import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** What a periodic task says about itself: one line when failures start, one when they end. */
export type TaskLogger = Pick<Logger, 'log' | 'warn'>;

/**
 * One run of the work. It resolves to true when it stopped at its own bound with work left (a
 * backlog), to anything else when it is done for now.
 */
export type Work = () => Promise<boolean | void>;

/**
 * Between two runs while the work reports a backlog: long enough for the rest of the server
 * and the database to get a turn, short enough that a backlog goes in minutes, not hours.
 */
export const BACKLOG_PAUSE_MS = 100;

/**
 * One piece of work repeated every `periodMs`.
 *
 * - Runs never overlap: a tick that finds the previous run still going is skipped, so a slow
 *   database makes the work run less often instead of piling up.
 * - A run that reports a backlog (Work) is followed by another BACKLOG_PAUSE_MS after it ends,
 *   not a whole period later, until a run finds the work done: each run stays bounded, and a
 *   backlog still drains quickly. A failing run is never followed early.
 * - A failing run is logged once, when failures start, and once more when a run succeeds
 *   again: an outage of an hour is two lines, not one per tick. The work reports a failure by
 *   rejecting; a run that resolves is a success.
 * - The timers are unref'd: they never keep a process alive on their own.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private followUp?: NodeJS.Timeout;
  private current?: Promise<void>;
  private failing = false;

  constructor(
    readonly name: string,
    readonly periodMs: number,
    private readonly work: Work,
    private readonly logger: TaskLogger,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.periodMs);
    this.timer.unref();
  }

  /** Runs the work now, unless a run is under way (then that run); never rejects. */
  tick(): Promise<void> {
    this.current ??= this.run().finally(() => {
      this.current = undefined;
    });
    return this.current;
  }

  /** No more runs; resolves once a run under way has ended, so it never outlives what it uses. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.followUp);
    this.followUp = undefined;
    await this.current;
  }

  private async run(): Promise<void> {
    let backlog: boolean | void;
    try {
      backlog = await this.work();
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(
          `${this.name} failed (${reasonOf(error)}); retrying every ${this.periodMs} ms, quietly until it works again`,
        );
      }
      this.failing = true;
      return;
    }
    if (this.failing) this.logger.log(`${this.name} works again`);
    this.failing = false;
    // Only a started task follows up (tick() alone runs once), and never after stop().
    if (backlog === true && this.timer) this.followSoon();
  }

  private followSoon(): void {
    clearTimeout(this.followUp);
    this.followUp = setTimeout(() => {
      this.followUp = undefined;
      void this.tick();
    }, BACKLOG_PAUSE_MS);
    this.followUp.unref();
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The periodic tasks of the running server, stopped together when it shuts down: before the
 * modules close their resources (the database pool), after any run under way has ended.
 */
@Injectable()
export class PeriodicTasks implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Background');
  private readonly tasks = new Map<string, PeriodicTask>();

  start(name: string, periodMs: number, work: Work): PeriodicTask {
    if (this.tasks.has(name)) throw new Error(`periodic task "${name}" is already running`);
    const task = new PeriodicTask(name, periodMs, work, this.logger);
    this.tasks.set(name, task);
    task.start();
    return task;
  }

  /** The names of the tasks running, in the order they were started. */
  get names(): string[] {
    return [...this.tasks.keys()];
  }

  async beforeApplicationShutdown(): Promise<void> {
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    await Promise.all(tasks.map((task) => task.stop()));
  }
}
