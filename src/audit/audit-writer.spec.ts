import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { DatabaseConnector } from '../database/database-connector';
import type { TransactionRunner } from '../database/transaction-runner';
import { AuditWriter, MAX_WAITING } from './audit-writer';
import type { LiveEvent } from './stored-event';

Logger.overrideLogger(false);

const offline = { isReady: false } as DatabaseConnector;
const noTransactions = {
  run: () => Promise.reject(new Error('no database')),
} as unknown as TransactionRunner;

const failed = (accountId: number | null, n = 0) => ({
  event: 'sign-in.failed',
  accountId,
  login: 'bob',
  address: '127.0.0.1',
  at: new Date(1_000_000 + n).toISOString(),
});

describe('AuditWriter', () => {
  it('keeps at most MAX_WAITING events waiting, dropping the oldest first', () => {
    const writer = new AuditWriter(noTransactions, offline);
    for (let n = 0; n < MAX_WAITING + 5; n++) writer.enqueue(failed(1, n));
    assert.equal(writer.backlog, MAX_WAITING);
    const oldest = (writer as unknown as { waiting: { at: number }[] }).waiting[0];
    assert.equal(oldest.at, 1_000_000 + 5);
  });

  it('tells its listeners of each queued event of an account at once, and of none without an account', () => {
    const writer = new AuditWriter(noTransactions, offline);
    const heard: LiveEvent[] = [];
    const stop = writer.onRecorded((event) => heard.push(event));
    writer.onRecorded(() => {
      throw new Error('a listener that fails stops nothing');
    });
    writer.enqueue(failed(1));
    writer.enqueue(failed(null));
    stop();
    writer.enqueue(failed(2));
    assert.equal(heard.length, 1);
    assert.equal(heard[0].accountId, 1);
    assert.deepEqual(heard[0].payload, {
      event: 'sign-in.failed',
      at: failed(1).at,
      address: '127.0.0.1',
      client: null,
    });
  });

  it('keeps what it could not write, and writes nothing while the database is not open', async () => {
    const writer = new AuditWriter(noTransactions, offline);
    writer.enqueue(failed(1));
    await writer.flush();
    assert.equal(writer.backlog, 1);
    const ready = { isReady: true } as DatabaseConnector;
    const failing = new AuditWriter(noTransactions, ready);
    failing.enqueue(failed(1));
    failing.enqueue(failed(1, 1));
    await assert.rejects(failing.flush(), /no database/);
    assert.equal(failing.backlog, 2);
  });
});
