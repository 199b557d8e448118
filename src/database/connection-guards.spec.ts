import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import { ConnectionQueueFullError, ConnectionWaitTimeoutError, limitConnectionWait } from './connection-guards';

type Release = (error?: Error) => void;

/**
 * A stand-in for the pg driver's pool: each obtainMasterConnection waits until the test hands
 * out a client (or fails it), like pg-pool with every connection busy.
 */
function pgDriver() {
  const waiting: { resolve: (obtained: [object, Release]) => void; reject: (error: Error) => void }[] = [];
  const released: object[] = [];
  const driver = {
    obtainMasterConnection: () =>
      new Promise<[object, Release]>((resolve, reject) => waiting.push({ resolve, reject })),
  };
  const dataSource = { options: { type: 'postgres' }, driver } as unknown as DataSource;
  const handOut = () => {
    const client = {};
    waiting.shift()!.resolve([client, () => released.push(client)]);
    return client;
  };
  return { dataSource, driver, waiting, released, handOut };
}

const obtain = (dataSource: DataSource) =>
  (dataSource.driver as unknown as { obtainMasterConnection(): Promise<[object, Release]> }).obtainMasterConnection();

describe('limitConnectionWait on PostgreSQL', () => {
  it('refuses at once the caller beyond the queue bound, and counts a caller out once the pool answers it', async () => {
    const pool = pgDriver();
    limitConnectionWait(pool.dataSource, { acquireTimeoutMs: 60_000, queueLimit: 2 });
    const first = obtain(pool.dataSource);
    const second = obtain(pool.dataSource);
    await assert.rejects(obtain(pool.dataSource), ConnectionQueueFullError);
    assert.equal(pool.waiting.length, 2, 'the refused caller never reached the pool');

    const client = pool.handOut();
    assert.equal((await first)[0], client);
    const third = obtain(pool.dataSource); // room again
    assert.equal(pool.waiting.length, 2);
    pool.handOut();
    pool.handOut();
    await Promise.all([second, third]);
  });

  it('gives up after the acquire timeout, and a client that arrives later goes straight back', async () => {
    const pool = pgDriver();
    limitConnectionWait(pool.dataSource, { acquireTimeoutMs: 20, queueLimit: 10 });
    await assert.rejects(obtain(pool.dataSource), ConnectionWaitTimeoutError);
    const late = pool.handOut();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(pool.released, [late]);
  });

  it("passes the pool's own failure on", async () => {
    const pool = pgDriver();
    limitConnectionWait(pool.dataSource, { acquireTimeoutMs: 1000, queueLimit: 10 });
    const pending = obtain(pool.dataSource);
    pool.waiting.shift()!.reject(new Error('timeout exceeded when trying to connect'));
    await assert.rejects(pending, /timeout exceeded when trying to connect/);
  });

  it('leaves SQLite alone', () => {
    const driver = { obtainMasterConnection: () => Promise.resolve() };
    const dataSource = { options: { type: 'better-sqlite3' }, driver } as unknown as DataSource;
    limitConnectionWait(dataSource, { acquireTimeoutMs: 1, queueLimit: 1 });
    assert.equal((dataSource.driver as unknown as typeof driver).obtainMasterConnection, driver.obtainMasterConnection);
  });
});
