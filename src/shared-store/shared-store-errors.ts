/**
 * Redis could not answer: refused, lost, timed out, or refusing writes (OOM, READONLY, LOADING,
 * NOAUTH...). The HTTP filter answers 503, like an unreachable database: a client retries later,
 * and a request that needs the shared counters is never let through uncounted.
 */
export class SharedStoreUnavailableError extends Error {
  readonly code = 'SHARED_STORE_UNAVAILABLE';

  constructor(cause: unknown) {
    super(`the shared store is unavailable: ${describeRedisError(cause)}`, { cause });
    this.name = 'SharedStoreUnavailableError';
  }
}

/**
 * What a Redis command's failure means. Generic `ERR` replies (a malformed command, a failing
 * script) are bugs and stay as they are (a 500 with the details in the log); everything else
 * (no connection, a timeout, a server that cannot serve) is the store being unavailable.
 */
export function classifyRedisError(error: unknown): Error {
  if (error instanceof SharedStoreUnavailableError) return error;
  if (error instanceof Error && error.name === 'ReplyError' && /^ERR /.test(error.message)) return error;
  return new SharedStoreUnavailableError(error);
}

/** A short reason for a log line: an error code or the first line of the message. */
export function describeRedisError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0].slice(0, 200);
}
