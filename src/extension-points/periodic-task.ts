/** How often a task runs: milliseconds, or a function of its provider (its configuration) giving them, or null: not at all. */
export type TaskPeriod<T = any> = number | ((provider: T) => number | null);

export interface PeriodicTaskDeclaration<T = any> {
  /** Names the task in log lines ("<name> failed (...)") and in PeriodicTasks.names. */
  name: string;
  every: TaskPeriod<T>;
}

const PERIODIC_TASKS = 'gatehouse:periodic-tasks';

/**
 * Declares a provider method work the server repeats (lifecycle/background-work.ts runs it on
 * PeriodicTasks; the owner's command line and MCP server never do). The method takes no argument
 * and resolves to true when it stopped at its own bound with work left (it is then run again
 * shortly), to anything else when done; a rejection is a failure, logged once per outage.
 *
 *     @PeriodicTask({ name: 'notes retention', every: (self: NotesRetention) => self.periodMs })
 *     async sweep(): Promise<boolean> { ... }
 */
export const PeriodicTask =
  <T>(declaration: PeriodicTaskDeclaration<T>): MethodDecorator =>
  (target, key) => {
    const own = (Reflect.getOwnMetadata(PERIODIC_TASKS, target.constructor) ?? []) as {
      method: string;
      declaration: PeriodicTaskDeclaration;
    }[];
    Reflect.defineMetadata(PERIODIC_TASKS, [...own, { method: String(key), declaration }], target.constructor);
  };

/** The periodic tasks declared on a provider's class, in the order of its methods. */
export function periodicTasksOf(provider: object): { method: string; declaration: PeriodicTaskDeclaration }[] {
  return (Reflect.getOwnMetadata(PERIODIC_TASKS, provider.constructor) ?? []) as {
    method: string;
    declaration: PeriodicTaskDeclaration;
  }[];
}
