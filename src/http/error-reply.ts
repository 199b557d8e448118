import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { isDatabaseUnavailable } from '../database/database-errors';
import { DomainError } from '../errors/domain-error';
import { SharedStoreUnavailableError } from '../shared-store/shared-store-errors';
import { type DialectName, type ErrorBody, errorBody } from './error-body';

/** What to answer a failure with, whatever the transport: HTTP response, raw socket, socket.io acknowledgement. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
  /** Headers the error carries (Retry-After of a 429, for instance); an HTTP transport sends them. */
  headers: Record<string, string>;
}

const logger = new Logger('Errors');

/**
 * The one mapping from a failure to its answer, used by every place that answers with an error
 * (HttpErrorFilter, WsErrorFilter, the body parser, Node's parser errors, an unmet Expect).
 *
 * - A DomainError (what the services throw) answers with its kind's status, its message and its
 *   extra body fields, and with its headers (Retry-After of a 429).
 * - An HttpException (what guards, pipes and the body parser throw at the edge) keeps its status
 *   and message; one whose status is a 5xx other than 503 is logged and answered without
 *   details. An HttpException with a `headers` record of strings (RefusedBodyException's
 *   Connection) is answered with those headers: no transport needs a special case for it.
 * - A WsException (a gateway's own refusal) is a 400 with its message.
 * - An unreachable database or shared store is 503, so a client retries later and never throws
 *   its token away over an outage.
 * - Anything else is a bare 500: its message and stack go to the log, never into the answer.
 *
 * `where` names the request or event in log lines (`POST /api/auth/login`, `"whoami"`).
 */
export function errorReply(error: unknown, dialect: DialectName, where = 'request'): ErrorReply {
  if (error instanceof DomainError) {
    const body = { ...errorBody(dialect, error.status, error.message), ...error.fields };
    return { status: error.status, body, headers: { ...error.headers } };
  }
  const { status, message } = classify(error, where);
  return { status, body: errorBody(dialect, status, message), headers: headersOf(error) };
}

function classify(error: unknown, where: string): { status: number; message?: string } {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    // Nest's answer to a path no route matches quotes the URL back: say it plainly instead.
    if (isUnmatchedRoute(error)) return { status, message: 'no such endpoint' };
    if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) {
      logger.error(`${where}: ${error.message}`);
      return { status };
    }
    return { status, message: messageOf(error) };
  }
  if (error instanceof WsException) {
    const details = error.getError();
    return { status: HttpStatus.BAD_REQUEST, message: typeof details === 'string' ? details : undefined };
  }
  if (error instanceof SharedStoreUnavailableError) {
    // Sign-in and registration need the shared abuse counters (REDIS_URL): they are refused
    // for now rather than let through uncounted (README, "Several instances").
    logger.warn(`${where}: ${error.message}`);
    return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'temporarily unavailable, try again shortly' };
  }
  if (isDatabaseUnavailable(error)) {
    logger.warn(`${where}: database unavailable`);
    return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'database unavailable, try again shortly' };
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  logger.error(`${where}: ${failure.message}`, failure.stack);
  return { status: HttpStatus.INTERNAL_SERVER_ERROR };
}

/** Nest's own 404 for a request no route matched (`Cannot GET /nope`). */
export function isUnmatchedRoute(error: unknown): boolean {
  return (
    error instanceof HttpException &&
    error.getStatus() === HttpStatus.NOT_FOUND &&
    /^Cannot [A-Z]+ /.test(error.message)
  );
}

function messageOf(exception: HttpException): string | undefined {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

function headersOf(error: unknown): Record<string, string> {
  if (!(error instanceof HttpException)) return {};
  const headers = (error as { headers?: unknown }).headers;
  if (!headers || typeof headers !== 'object') return {};
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
