import { BadRequestException } from '@nestjs/common';
import { CommanderError } from 'commander';
import { ConfigError } from '../config/config';
import { isDatabaseUnavailable } from '../database/database-errors';

/** Exit statuses of the owner commands. */
export const EXIT = {
  OK: 0,
  /** The command was understood but could not be carried out; nothing was changed. */
  FAILED: 1,
  /** Bad arguments or configuration: nothing was attempted. */
  USAGE: 2,
} as const;

/** A failure whose message is meant for the owner as it stands. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Outcome {
  exitCode: number;
  /** The one line for stderr, without the `gatehouse: ` prefix; absent on success. */
  reason?: string;
}

/** Longest reason printed: driver messages can quote whole statements. */
const MAX_REASON = 300;

/** Turns whatever a command threw into an exit status and one line, never a stack trace. */
export function explain(error: unknown): Outcome {
  if (error instanceof CommanderError) {
    // --help, `help` and --version end through here with status 0.
    if (error.exitCode === 0) return { exitCode: EXIT.OK };
    // Commander's answer to a missing command is the whole help on stderr; one line is enough.
    if (error.code === 'commander.help') return usage('missing command; run with --help to list the commands');
    return usage(error.message.replace(/^error:\s*/i, ''));
  }
  if (error instanceof ConfigError) return usage(`invalid configuration: ${error.message}`);
  // Raised by the account rules (a new password that is too short, say): bad input.
  if (error instanceof BadRequestException) return usage(error.message);
  if (error instanceof CliError) return { exitCode: error.exitCode, reason: oneLine(error.message) };
  if (isDatabaseUnavailable(error)) return failed(`database unavailable (${describe(error)}); nothing was changed`);
  return failed(`failed (${describe(error)}); nothing was changed`);
}

function usage(reason: string): Outcome {
  return { exitCode: EXIT.USAGE, reason: oneLine(reason) };
}

function failed(reason: string): Outcome {
  return { exitCode: EXIT.FAILED, reason: oneLine(reason) };
}

function describe(error: unknown): string {
  if (error && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // The first line: what follows in some driver messages is detail, not the reason.
    const text = typeof message === 'string' ? message.trim().split('\n')[0].trim() || undefined : undefined;
    if (typeof code === 'string' && text && !text.includes(code)) return `${code}: ${text}`;
    if (text) return text;
    if (typeof code === 'string') return code;
  }
  return 'unknown error';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}
