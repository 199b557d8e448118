import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityMetadataNotFoundError, QueryFailedError, TypeORMError } from 'typeorm';
import { ConnectionQueueFullError, ConnectionWaitTimeoutError, DatabaseNotReadyError } from './connection-guards';
import { describeDatabaseError, isDatabaseUnavailable, isMissingDatabase, isUniqueViolation } from './database-errors';

/** An error shaped as mysql2 raises it (see mysql2/lib/base/connection.js, commands/query.js). */
function mysql2Error(message: string, code: string, fatal?: boolean): Error {
  return Object.assign(new Error(message), { code, ...(fatal === undefined ? {} : { fatal }) });
}

/** An error shaped as pg raises a server's ErrorResponse (see pg-protocol/src/parser.ts). */
function pgError(message: string, code: string, severity = 'ERROR'): Error {
  return Object.assign(new Error(message), { code, severity });
}

/** What TypeORM throws when the driver fails a query: the driver's error as `driverError`. */
const failedQuery = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  const unavailable: [string, unknown][] = [
    ['query timeout (paused server)', mysql2Error('Query inactivity timeout', 'PROTOCOL_SEQUENCE_TIMEOUT')],
    ['connect timeout', mysql2Error('connect ETIMEDOUT', 'ETIMEDOUT', true)],
    ['refused', mysql2Error('connect ECONNREFUSED 127.0.0.1:3306', 'ECONNREFUSED', true)],
    ['reset', mysql2Error('read ECONNRESET', 'ECONNRESET', true)],
    [
      'connection lost',
      mysql2Error('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST', true),
    ],
    [
      'command on a dead connection',
      Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
    ],
    ['pool closed', new Error('Pool is closed.')],
    ['pool queue full', new Error('Queue limit reached.')],
    ['no pooled connection in time', new ConnectionWaitTimeoutError(3000)],
    ['too many waiting for a pooled connection (pg)', new ConnectionQueueFullError(500)],
    ['schema not ready', new DatabaseNotReadyError()],
    ['never connected', new TypeORMError('Connection is not established with mysql database')],
    ['server shutting down', mysql2Error('Server shutdown in progress', 'ER_SERVER_SHUTDOWN')],
    ['too many connections', mysql2Error('Too many connections', 'ER_CON_COUNT_ERROR')],
    [
      'pg: backend terminated (57P01)',
      pgError('terminating connection due to administrator command', '57P01', 'FATAL'),
    ],
    ['pg: statement timeout (57014)', pgError('canceling statement due to statement timeout', '57014')],
    ['pg: database missing (3D000)', pgError('database "gatehouse" does not exist', '3D000', 'FATAL')],
    ['pg: starting up (57P03)', pgError('the database system is starting up', '57P03', 'FATAL')],
    ['pg: connection failure (08006)', pgError('connection failure', '08006')],
    ['pg: too many clients (53300)', pgError('sorry, too many clients already', '53300', 'FATAL')],
    ['pg: deadlock (40P01)', pgError('deadlock detected', '40P01')],
    ['pg: connection lost', new Error('Connection terminated unexpectedly')],
    ['pg-pool: no client in time', new Error('timeout exceeded when trying to connect')],
    [
      'pg-pool: connect timeout',
      new Error('Connection terminated due to connection timeout', {
        cause: new Error('Connection terminated unexpectedly'),
      }),
    ],
    ['pg: client-side query timeout', new Error('Query read timeout')],
    [
      'pg: a client that lost its connection',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['pg: refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ];
  for (const [name, error] of unavailable) {
    it(`is true for ${name}, bare and wrapped by TypeORM`, () => {
      assert.equal(isDatabaseUnavailable(error), true);
      if (error instanceof Error) assert.equal(isDatabaseUnavailable(failedQuery(error)), true);
    });
  }

  const notUnavailable: [string, unknown][] = [
    ['a lost uniqueness race', failedQuery(mysql2Error("Duplicate entry 'a' for key 'UQ'", 'ER_DUP_ENTRY'))],
    ['an SQL mistake', failedQuery(mysql2Error('You have an error in your SQL syntax', 'ER_PARSE_ERROR'))],
    ['pg: a lost uniqueness race', failedQuery(pgError('duplicate key value violates unique constraint', '23505'))],
    ['pg: an SQL mistake', failedQuery(pgError('syntax error at or near "SELEC"', '42601'))],
    ['pg: a missing column', failedQuery(pgError('column "x" does not exist', '42703'))],
    ['pg: a value too long', failedQuery(pgError('value too long for type character varying(64)', '22001'))],
    ['a missing entity (a programming error)', new EntityMetadataNotFoundError('Account')],
    ['an ordinary bug', new TypeError('x is undefined')],
    ['a non-error', 'boom'],
    ['nothing', undefined],
  ];
  for (const [name, error] of notUnavailable) {
    it(`is false for ${name}`, () => {
      assert.equal(isDatabaseUnavailable(error), false);
    });
  }
});

describe('isUniqueViolation', () => {
  it('recognises a duplicate key on either engine, wrapped or not', () => {
    assert.equal(isUniqueViolation(failedQuery(mysql2Error('Duplicate entry', 'ER_DUP_ENTRY'))), true);
    assert.equal(isUniqueViolation(mysql2Error('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')), true);
    assert.equal(isUniqueViolation(mysql2Error('Query inactivity timeout', 'PROTOCOL_SEQUENCE_TIMEOUT')), false);
  });

  it('recognises PostgreSQL unique violations (23505) and nothing else of class 23', () => {
    assert.equal(
      isUniqueViolation(failedQuery(pgError('duplicate key value violates unique constraint', '23505'))),
      true,
    );
    assert.equal(isUniqueViolation(pgError('duplicate key value violates unique constraint', '23505')), true);
    assert.equal(isUniqueViolation(failedQuery(pgError('violates foreign key constraint', '23503'))), false);
    assert.equal(isUniqueViolation(failedQuery(pgError('violates not-null constraint', '23502'))), false);
  });
});

describe('isMissingDatabase', () => {
  it('is true for a database that does not exist on MySQL and PostgreSQL, false for an outage', () => {
    assert.equal(isMissingDatabase(mysql2Error("Unknown database 'gatehouse'", 'ER_BAD_DB_ERROR')), true);
    assert.equal(isMissingDatabase(pgError('database "gatehouse" does not exist', '3D000', 'FATAL')), true);
    assert.equal(isMissingDatabase(mysql2Error('connect ECONNREFUSED', 'ECONNREFUSED')), false);
    assert.equal(isMissingDatabase(new Error('Connection terminated unexpectedly')), false);
  });
});

describe('describeDatabaseError', () => {
  it('gives the driver code and the first line of its message, from inside a QueryFailedError', () => {
    const error = failedQuery(pgError('canceling statement due to statement timeout\nCONTEXT: x', '57014'));
    assert.equal(describeDatabaseError(error), '57014: canceling statement due to statement timeout');
    assert.equal(
      describeDatabaseError(new Error('timeout exceeded when trying to connect')),
      'timeout exceeded when trying to connect',
    );
    assert.equal(describeDatabaseError(undefined), 'unknown error');
  });
});
