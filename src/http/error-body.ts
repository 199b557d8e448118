import { STATUS_CODES } from 'node:http';

/**
 * The two error shapes. Routes under /api/ and /health speak Birdhouse
 * (`{"status":"error","error":…}`); every other path, the classic dialect (`{"error":…}`).
 * Chosen by path because some failures (a malformed body, an unknown route) happen before
 * any controller is chosen.
 */
export function errorBody(path: string, status: number, message?: string): Record<string, unknown> {
  const error = STATUS_CODES[status] ?? 'Error';
  const details = message ? { message } : {};
  return isBirdhousePath(path) ? { status: 'error', error, ...details } : { error, ...details };
}

export function isBirdhousePath(path: string): boolean {
  return path === '/health' || path.startsWith('/health/') || path === '/api' || path.startsWith('/api/');
}
