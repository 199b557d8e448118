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
 * The dialect of a failure that no controller answers: a path no route matches, a request Node
 * could not parse, an unmet Expect. Paths under /api/ and /health speak Birdhouse; every other
 * path, classic. Routes themselves answer in the dialect their controller declares (@Dialect,
 * src/http/dialect.ts), which agrees with this rule for every route Gatehouse serves.
 */
export function dialectOfPath(path: string): DialectName {
  return isBirdhousePath(path) ? 'birdhouse' : 'classic';
}

export function isBirdhousePath(path: string): boolean {
  return path === '/health' || path.startsWith('/health/') || path === '/api' || path.startsWith('/api/');
}
