import { BadRequestException } from '@nestjs/common';
import { ConfigError } from '../config/config';
import { isDatabaseUnavailable } from '../database/database-errors';
import { DomainError } from '../errors/domain-error';

/** A failure whose message is meant for the owner as it stands (an unknown login, say). */
export class OwnerError extends Error {
  constructor(
    message: string,
    /** Bad arguments rather than a command that could not be carried out. */
    readonly usage = false,
  ) {
    super(message);
    this.name = 'OwnerError';
  }
}

export interface Failure {
  /** Bad arguments or configuration: nothing was attempted. Otherwise: tried, nothing changed. */
  usage: boolean;
  /** One line, for the command line's stderr or an MCP tool result. */
  reason: string;
}

/** Longest reason given: driver messages can quote whole statements. */
const MAX_REASON = 300;

/**
 * What the owner is told about whatever an owner operation threw, by either entry point: one
 * line, never a stack trace, never a secret (the operations put none in their messages).
 */
export function explainFailure(error: unknown): Failure {
  if (error instanceof ConfigError) return { usage: true, reason: oneLine(`invalid configuration: ${error.message}`) };
  // What the services report: refused input is bad arguments; anything else was tried and refused.
  if (error instanceof DomainError) return { usage: error.kind === 'invalid', reason: oneLine(error.message) };
  // Raised by the account rules (a new password that is too short, say): bad input.
  if (error instanceof BadRequestException) return { usage: true, reason: oneLine(error.message) };
  if (error instanceof OwnerError) return { usage: error.usage, reason: oneLine(error.message) };
  if (isDatabaseUnavailable(error))
    return { usage: false, reason: oneLine(`database unavailable (${describe(error)}); nothing was changed`) };
  return { usage: false, reason: oneLine(`failed (${describe(error)}); nothing was changed`) };
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

export function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}
