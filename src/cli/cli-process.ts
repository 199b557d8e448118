import type { Type } from '@nestjs/common';
import { runCli } from './program';

/** How long a failed command may take to wind down before it is ended. */
const FAILED_EXIT_GRACE_MS = 1000;

/** The owner's command line as a process: this process's arguments, stdout and stderr, and exit status. */
export function runCliProcess(modules: Type[]): void {
  void runCli(
    process.argv.slice(2),
    { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
    undefined,
    modules,
  ).then((status) => {
    // No process.exit() on success: output still in flight is written, and anything left open
    // shows up in the tests as a process that does not end instead of being cut off silently.
    process.exitCode = status;
    // A start-up that failed half-way can leave worker threads that nothing is able to close; a
    // failure must still end. The timer is unref'd: it fires only if something else holds on.
    if (status !== 0) setTimeout(() => process.exit(status), FAILED_EXIT_GRACE_MS).unref();
  });
}
