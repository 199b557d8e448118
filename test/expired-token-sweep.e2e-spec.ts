import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { ExpiredTokenSweeper } from '../src/tokens/expired-token-sweeper';
import { hashToken } from '../src/tokens/token-secret';
import { startApp, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import { client } from './support/http';

const TEST_TIMEOUT = { timeout: 120_000 };
/** One sweep deletes at most 20 batches of 500 rows of a kind (src/tokens/expired-token-sweeper.ts). */
const SWEEP_BOUND = 10_000;
/** Rows per INSERT statement when seeding. */
const INSERT_ROWS = 250;

/**
 * A backlog of expired rows, larger than one sweep may delete: the sweep says so, and the server
 * sweeps again shortly instead of a whole TOKEN_SWEEP_INTERVAL later. Expired rows behind many
 * older valid ones are found (read in expiry order), and the valid ones stay.
 */
eachEngine(__filename, (db) => {
  /** `count` token rows of `accountId` expiring at `expiresAt`, named by `prefix` and their number. */
  async function seedTokens(prefix: string, accountId: number, count: number, expiresAt: number): Promise<void> {
    for (let from = 0; from < count; from += INSERT_ROWS) {
      const n = Math.min(INSERT_ROWS, count - from);
      const values: unknown[] = [];
      for (let i = from; i < from + n; i++) {
        values.push(hashToken(`${prefix}-${i}`), `${prefix}${i}`, accountId, expiresAt - 60_000, expiresAt);
      }
      await db().sql(
        `INSERT INTO tokens (token_hash, public_id, account_id, created_at, expires_at) VALUES ${Array(n)
          .fill('(?, ?, ?, ?, ?)')
          .join(', ')}`,
        values,
      );
    }
  }

  const countWhere = async (condition: string, params: unknown[]): Promise<number> => {
    const [row] = (await db().sql(`SELECT COUNT(*) AS n FROM tokens WHERE ${condition}`, params)) as { n: unknown }[];
    return Number(row.n);
  };
  const expiredRows = () => countWhere('expires_at <= ?', [Date.now()]);

  /** An account (through the API) with `valid` more unexpired rows; returns its id and its own token. */
  async function accountWithValidRows(running: RunningApp, prefix: string, valid: number) {
    const { login, token } = await client(() => running.url).account();
    const [account] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as { id: unknown }[];
    const accountId = Number(account.id);
    await seedTokens(prefix, accountId, valid, Date.now() + 3_600_000);
    return { accountId, token };
  }

  it('deletes at most its bound per sweep and says whether rows are left; valid rows stay', TEST_TIMEOUT, async () => {
    // The server's own sweeps stay out of the way: this test sweeps by hand.
    const running = await startApp(db(), { TOKEN_SWEEP_INTERVAL: '1h' });
    try {
      const { accountId, token } = await accountWithValidRows(running, 'keep', 300);
      const backlog = SWEEP_BOUND + 250;
      await seedTokens('old', accountId, backlog, Date.now() - 60_000);
      const validBefore = await countWhere('account_id = ? AND expires_at > ?', [accountId, Date.now()]);
      assert.equal(validBefore, 301);

      const sweeper = running.app.get(ExpiredTokenSweeper);
      assert.equal(await sweeper.sweep(), true, 'the first sweep stops at its bound with rows left');
      assert.equal(await expiredRows(), 250);
      assert.equal(await sweeper.sweep(), false, 'the second one finishes');
      assert.equal(await expiredRows(), 0);
      assert.equal(await sweeper.sweep(), false, 'nothing to do');

      assert.equal(await countWhere('account_id = ? AND expires_at > ?', [accountId, Date.now()]), validBefore);
      assert.equal((await client(() => running.url).get('/api/auth/me', { Authentication: token })).status, 200);
      // One event per account and batch, with the batch's count.
      const counts = running.events
        .filter((e) => e.event === 'token.revoked' && e.cause === 'expiry' && e.accountId === accountId)
        .map((e) => e.count);
      assert.equal(counts.length, Math.ceil(backlog / 500));
      assert.equal(
        counts.reduce((sum: number, n) => sum + (n ?? 1), 0),
        backlog,
      );
    } finally {
      await running.close();
    }
  });

  it('writes the events of a batch a few at a time, letting other work in between', TEST_TIMEOUT, async () => {
    const running = await startApp(db(), { TOKEN_SWEEP_INTERVAL: '1h' });
    try {
      // 120 accounts with one expired token each: one batch, one event per account.
      const ACCOUNTS = 120;
      const tag = `turns${process.pid}x`;
      const logins = Array.from({ length: ACCOUNTS }, (_, i) => `${tag}${i}`);
      await db().sql(
        `INSERT INTO accounts (login_key, login, password_hash, created_at) VALUES ${logins.map(() => '(?, ?, ?, ?)').join(', ')}`,
        logins.flatMap((login) => [login, login, 'not-a-hash', Date.now()]),
      );
      const ids = (await db().sql('SELECT id FROM accounts WHERE login LIKE ?', [`${tag}%`])) as { id: unknown }[];
      assert.equal(ids.length, ACCOUNTS);
      for (const [i, { id }] of ids.entries()) await seedTokens(`${tag}t${i}`, Number(id), 1, Date.now() - 60_000);

      const before = running.events.length;
      let done = false;
      const sweeping = running.app
        .get(ExpiredTokenSweeper)
        .sweep()
        .finally(() => (done = true));
      // Looks at the log once per turn of the event loop while the sweep runs.
      const steps: number[] = [];
      let seen = before;
      while (!done) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        steps.push(running.events.length - seen);
        seen = running.events.length;
      }
      await sweeping;
      assert.equal(running.events.length - before, ACCOUNTS);
      assert.ok(Math.max(...steps) <= 50, `events written in one turn: ${steps.filter((n) => n > 0).join(', ')}`);
    } finally {
      await running.close();
    }
  });

  it('sweeps a backlog again shortly, not a whole TOKEN_SWEEP_INTERVAL later', TEST_TIMEOUT, async () => {
    const PERIOD_MS = 8_000;
    // One app creates the schema and the account; the rows are seeded before the measured app starts.
    const seeding = await startApp(db(), { TOKEN_SWEEP_INTERVAL: '1h' });
    let accountId: number;
    try {
      ({ accountId } = await accountWithValidRows(seeding, 'stay', 50));
      await seedTokens('backlog', accountId, SWEEP_BOUND + 300, Date.now() - 60_000);
    } finally {
      await seeding.close();
    }
    const running = await startApp(db(), { TOKEN_SWEEP_INTERVAL: `${PERIOD_MS / 1000}s` });
    const deadline = Date.now() + 3 * PERIOD_MS;
    try {
      let left = await expiredRows();
      while (left > 0 && Date.now() < deadline) {
        await sleep(100);
        left = await expiredRows();
      }
      assert.equal(left, 0, `${left} expired rows left after three periods`);
      // The first batch goes at the first period; the last one used to wait for the second.
      const times = running.events
        .filter((e) => e.event === 'token.revoked' && e.cause === 'expiry' && e.accountId === accountId)
        .map((e) => Date.parse(e.at));
      const spanMs = Math.max(...times) - Math.min(...times);
      assert.ok(spanMs < 0.7 * PERIOD_MS, `the backlog was deleted over ${spanMs} ms`);
      assert.equal(await countWhere('account_id = ? AND expires_at > ?', [accountId, Date.now()]), 51);
    } finally {
      await running.close();
    }
  });
});
