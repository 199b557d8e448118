import { STATUS_CODES } from 'node:http';

/** The two error shapes Gatehouse answers in (sections 4 and 5 of the contract). */
export type DialectName = 'classic' | 'birdhouse';

export interface ClassicErrorBody {
  error: string;
  message?: string;
}

export interface BirdhouseErrorBody {
  status: 'error';
  error: string;
  message?: string;
}

export type ErrorBody = ClassicErrorBody | BirdhouseErrorBody;

/** `{"error": <reason phrase>}`, with `"status": "error"` in front for Birdhouse; `message` when there are details. */
export function errorBody(dialect: DialectName, status: number, message?: string): ErrorBody {
  const error = STATUS_CODES[status] ?? 'Error';
  const details = message ? { message } : {};
  return dialect === 'birdhouse' ? { status: 'error', error, ...details } : { error, ...details };
}

/**
 * The dialect of a failure that no controller answers: a path no route matches, an unmet Expect,
 * a missing Host, engine.io's refusals. Paths under /api/, /socket.io/ and /health speak
 * Birdhouse; every other path, classic. Routes themselves answer in the dialect their controller
 * declares (@Dialect, src/http/dialect.ts), which agrees with this rule for every route
 * Gatehouse serves.
 */
export function dialectOfPath(path: string): DialectName {
  return isBirdhousePath(path) ? 'birdhouse' : 'classic';
}

/** dialectOfPath for a request target as Node received it (before Express parsed it); classic if it cannot be parsed. */
export function dialectOfTarget(target: string | undefined): DialectName {
  try {
    return dialectOfPath(new URL(target ?? '/', 'http://localhost').pathname);
  } catch {
    return 'classic';
  }
}

const BIRDHOUSE_PATHS = ['/health', '/api', '/socket.io'];

export function isBirdhousePath(path: string): boolean {
  return BIRDHOUSE_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
