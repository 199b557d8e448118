import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import { PeriodicTasks } from '../src/lifecycle/periodic-task';
import { startApp, type RunningApp } from './support/app';
import { assertSucceeded, eventLines, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';
import { startOwnerMcp } from './support/mcp';

const HOUR = 3_600_000;
const TEST_TIMEOUT = { timeout: 60_000 };

/**
 * The server's background work (sweeps, flushes) belongs to the server: the owner's command line
 * and MCP server share its services but must never sweep, or a command would delete tokens and
 * write their expiry as an act of the owner (`via: "cli"` / `"mcp"`).
 */
eachEngine(__filename, (db) => {
  let running: RunningApp;
  before(async () => {
    // The server itself does not sweep during this test.
    running = await startApp(db(), { TOKEN_SWEEP_INTERVAL: '1h' });
  });
  after(async () => {
    await running?.close();
  });

  it('the server runs its periodic tasks', () => {
    assert.deepEqual(running.app.get(PeriodicTasks).names, [
      'security-event flush',
      'token-use flush',
      'expired-token sweep',
      'live-socket sweep',
      'passkey challenge sweep',
      'security-event retention',
      'owner-event poll',
    ]);
  });

  it('the owner tools sweep nothing, however short TOKEN_SWEEP_INTERVAL is', TEST_TIMEOUT, async () => {
    const { login } = await client(() => running.url).account(uniqueLogin('Swept'));
    const [account] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as { id: number }[];
    await db().sql('UPDATE tokens SET expires_at = ? WHERE account_id = ?', [Date.now() - HOUR, account.id]);
    const tokenRows = async () => (await db().sql('SELECT id FROM tokens WHERE account_id = ?', [account.id])).length;
    const env = { DATABASE_URL: db().url, BCRYPT_COST: '4', TOKEN_SWEEP_INTERVAL: '0.1s' };

    assert.deepEqual(assertSucceeded(await runCli(['sessions', login], env)), []);

    const mcp = await startOwnerMcp(env);
    try {
      // The first tool call opens the database; then ten sweep periods go by.
      const found = await mcp.call('find_account', { login });
      assert.notEqual(found.isError, true, JSON.stringify(found));
      await sleep(1000);
      assert.deepEqual(eventLines(mcp.stderr(), 'mcp'), []);
    } finally {
      await mcp.close();
    }
    assert.equal(await tokenRows(), 1, 'the expired row is left for the server to sweep');
  });
});
