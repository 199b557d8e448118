/**
 * Classifies errors raised by mysql2, pg, better-sqlite3 and TypeORM: the one place that decides
 * whether a database error is a lost uniqueness race (409), an outage (503) or a bug (500).
 * TypeORM wraps driver errors in QueryFailedError and keeps the original as `driverError`, so
 * every level is inspected.
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
  // PostgreSQL (SQLSTATE; whole classes are in UNAVAILABLE_SQLSTATE_CLASSES below)
  '57P01', // admin_shutdown: the backend was terminated or the server is stopping
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '57014', // query_canceled: statement_timeout
  '3D000', // invalid_catalog_name: the database does not exist
  '28000', // invalid_authorization_specification
  '28P01', // invalid_password
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '25006', // read_only_sql_transaction: a standby, or a server in read-only mode
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
  // pg and pg-pool raise these without a code
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Query read timeout/i,
  /^timeout expired$/i,
  /is not queryable/i,
  /Cannot use a pool after calling end/i,
];

/**
 * SQLSTATE classes that mean the server cannot serve us right now: 08 connection exception,
 * 53 insufficient resources (too many connections, disk full), 58 system error.
 */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '58'];

/** A unique or primary key violated, on any engine. */
const UNIQUE_VIOLATION_CODES = new Set([
  'ER_DUP_ENTRY',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
  '23505',
]);

/** The database named in the URL does not exist: retrying will not help until someone creates it. */
const MISSING_DATABASE_CODES = new Set(['ER_BAD_DB_ERROR', '3D000']);

interface DriverishError {
  code?: unknown;
  errno?: unknown;
  fatal?: unknown;
  severity?: unknown;
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
  return layers(error).some((e) => typeof e.code === 'string' && UNIQUE_VIOLATION_CODES.has(e.code));
}

export function isMissingDatabase(error: unknown): boolean {
  return layers(error).some((e) => typeof e.code === 'string' && MISSING_DATABASE_CODES.has(e.code));
}

const isSqlState = (code: string) => /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code);

/** True when the database could not be reached or could not serve the query in time. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return layers(error).some((e) => {
    if (typeof e.code === 'string') {
      if (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR')) return true;
      if (isSqlState(e.code) && UNAVAILABLE_SQLSTATE_CLASSES.includes(e.code.slice(0, 2))) return true;
    }
    // mysql2 marks errors that end the connection `fatal`; the PostgreSQL server says FATAL or PANIC.
    if (e.fatal === true || e.severity === 'FATAL' || e.severity === 'PANIC') return true;
    const message = typeof e.message === 'string' ? e.message : '';
    return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message));
  });
}

/**
 * A short description of a database failure for the log: the driver's code and the first line
 * of its message (no parameters, no URL). PostgreSQL's codes are SQLSTATEs, which say little alone.
 */
export function describeDatabaseError(error: unknown): string {
  const layer = layers(error).at(-1);
  if (!layer) return 'unknown error';
  const code = typeof layer.code === 'string' ? layer.code : undefined;
  const text = typeof layer.message === 'string' ? layer.message.trim().split('\n')[0].slice(0, 200) : undefined;
  if (code && text && !text.includes(code)) return `${code}: ${text}`;
  return text || code || 'unknown error';
}
