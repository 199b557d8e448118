import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';

/** What a periodic task says about itself: one line when failures start, one when they end. */
export type TaskLogger = Pick<Logger, 'log' | 'warn'>;

/**
 * One piece of work repeated every `periodMs`.
 *
 * - Runs never overlap: a tick that finds the previous run still going is skipped, so a slow
 *   database makes the work run less often instead of piling up.
 * - A failing run is logged once, when failures start, and once more when a run succeeds
 *   again: an outage of an hour is two lines, not one per tick. The work reports a failure by
 *   rejecting; a run that resolves is a success.
 * - The timer is unref'd: it never keeps a process alive on its own.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private current?: Promise<void>;
  private failing = false;

  constructor(
    readonly name: string,
    readonly periodMs: number,
    private readonly work: () => Promise<unknown>,
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
    await this.current;
  }

  private async run(): Promise<void> {
    try {
      await this.work();
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

  start(name: string, periodMs: number, work: () => Promise<unknown>): PeriodicTask {
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
