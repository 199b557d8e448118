/**
 * Classifies errors raised by mysql2, better-sqlite3 and TypeORM. TypeORM wraps driver errors
 * in QueryFailedError and keeps the original as `driverError`, so both levels are inspected.
 */

const UNAVAILABLE_CODES = new Set([
  // network and pool
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'POOL_CLOSED',
  'POOL_QUEUE_LIMIT',
  'POOL_ACQUIRE_TIMEOUT',
  'DATABASE_NOT_READY',
  // server side
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_INTERRUPTED',
  'ER_QUERY_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_OPTION_PREVENTS_STATEMENT',
  // SQLite: another writer holds the lock, or the file cannot be used
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_FULL',
  'SQLITE_NOTADB',
  'SQLITE_CORRUPT',
  'SQLITE_PROTOCOL',
]);

const UNAVAILABLE_MESSAGES = [
  /Pool is closed/i,
  /Queue limit reached/i,
  /Connection lost/i,
  /Can't add new command when connection is in closed state/i,
  /Query inactivity timeout/i,
  /connect ETIMEDOUT/i,
  /The database connection is not open/i,
  /DataSource is not initialized/i,
  /connection is not yet established/i,
  // TypeORM, before the DataSource has ever connected (start-up with the database down)
  /Connection is not established with \w+ database/i,
  /Connection with \w+ database is not established/i,
  /Cannot (?:execute|create) .*(?:released|closed)/i,
];

interface DriverishError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  message?: unknown;
  driverError?: unknown;
}

function layers(error: unknown): DriverishError[] {
  const found: DriverishError[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    found.push(current as DriverishError);
    const next = (current as DriverishError).driverError ?? (current as { cause?: unknown }).cause;
    if (next === current) break;
    current = next;
  }
  return found;
}

export function isUniqueViolation(error: unknown): boolean {
  return layers(error).some(
    (e) =>
      e.code === 'ER_DUP_ENTRY' ||
      e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  );
}

/** True when the database could not be reached or could not serve the query in time. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return layers(error).some((e) => {
    if (typeof e.code === 'string') {
      if (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR')) return true;
    }
    if (e.fatal === true) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
  });
}
