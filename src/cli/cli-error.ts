import { CommanderError } from 'commander';
import { explainFailure, oneLine } from '../owner/owner-failure';

/** Exit statuses of the owner commands. */
export const EXIT = {
  OK: 0,
  /** The command was understood but could not be carried out; nothing was changed. */
  FAILED: 1,
  /** Bad arguments or configuration: nothing was attempted. */
  USAGE: 2,
} as const;

export interface Outcome {
  exitCode: number;
  /** The one line for stderr, without the `gatehouse: ` prefix; absent on success. */
  reason?: string;
}

/** Turns whatever a command threw into an exit status and one line, never a stack trace. */
export function explain(error: unknown): Outcome {
  if (error instanceof CommanderError) {
    // --help, `help` and --version end through here with status 0.
    if (error.exitCode === 0) return { exitCode: EXIT.OK };
    // Commander's answer to a missing command is the whole help on stderr; one line is enough.
    if (error.code === 'commander.help') return usage('missing command; run with --help to list the commands');
    return usage(error.message.replace(/^error:\s*/i, ''));
  }
  const { usage: bad, reason } = explainFailure(error);
  return { exitCode: bad ? EXIT.USAGE : EXIT.FAILED, reason };
}

function usage(reason: string): Outcome {
  return { exitCode: EXIT.USAGE, reason: oneLine(reason) };
}
