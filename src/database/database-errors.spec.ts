import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntityMetadataNotFoundError, QueryFailedError, TypeORMError } from 'typeorm';
import { ConnectionWaitTimeoutError, DatabaseNotReadyError } from './connection-guards';
import { isDatabaseUnavailable, isUniqueViolation } from './database-errors';

/** An error shaped as mysql2 raises it (see mysql2/lib/base/connection.js, commands/query.js). */
function mysql2Error(message: string, code: string, fatal?: boolean): Error {
  return Object.assign(new Error(message), { code, ...(fatal === undefined ? {} : { fatal }) });
}

/** What TypeORM throws when the driver fails a query: the driver's error as `driverError`. */
const failedQuery = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  const unavailable: [string, unknown][] = [
    ['query timeout (paused server)', mysql2Error('Query inactivity timeout', 'PROTOCOL_SEQUENCE_TIMEOUT')],
    ['connect timeout', mysql2Error('connect ETIMEDOUT', 'ETIMEDOUT', true)],
    ['refused', mysql2Error('connect ECONNREFUSED 127.0.0.1:3306', 'ECONNREFUSED', true)],
    ['reset', mysql2Error('read ECONNRESET', 'ECONNRESET', true)],
    ['connection lost', mysql2Error('Connection lost: The server closed the connection.', 'PROTOCOL_CONNECTION_LOST', true)],
    ['command on a dead connection', Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true })],
    ['pool closed', new Error('Pool is closed.')],
    ['pool queue full', new Error('Queue limit reached.')],
    ['no pooled connection in time', new ConnectionWaitTimeoutError(3000)],
    ['schema not ready', new DatabaseNotReadyError()],
    ['never connected', new TypeORMError('Connection is not established with mysql database')],
    ['server shutting down', mysql2Error('Server shutdown in progress', 'ER_SERVER_SHUTDOWN')],
    ['too many connections', mysql2Error('Too many connections', 'ER_CON_COUNT_ERROR')],
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
});
