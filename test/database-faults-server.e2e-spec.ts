import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it, type TestContext } from 'node:test';
import { appPerSuite } from './support/app';
import { eachEngine, type TestDatabase } from './support/engines';
import { client, type Reply, uniqueLogin } from './support/http';
import { spawnService, waitHealthy } from './support/process';

/**
 * What a database server does to its clients short of vanishing (database-faults.e2e-spec.ts):
 * it ends their sessions (an administrator, a restart of a backend, a pooler), and it may not
 * hold the database the service was pointed at. SQLite has neither.
 */

const TEST_TIMEOUT = { timeout: 90_000 };

const serverOnly = (db: TestDatabase, t: TestContext): boolean => {
  if (db.engine !== 'sqlite') return true;
  t.skip('SQLite is a file inside the process: no server session to end, no database to miss');
  return false;
};

/** Ends every session of this database except the one asking, as an administrator would. */
async function killSessions(db: TestDatabase): Promise<number> {
  if (db.engine === 'postgres') {
    const rows = await db.sql(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    return rows.length;
  }
  const rows = (await db.sql(
    'SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()',
  )) as { id: number }[];
  for (const { id } of rows) await db.sql(`KILL ${Number(id)}`).catch(() => undefined);
  return rows.length;
}

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);

  it(
    'sessions ended by the server: no 500, killed connections are not lent again, then all is well',
    TEST_TIMEOUT,
    async (t) => {
      if (!serverOnly(db(), t)) return;
      const login = uniqueLogin('killed');
      assert.equal((await api.post('/register', { login, password: 'secret-password' })).status, 200);
      // Fill the pool with several connections, all idle afterwards.
      const warm = await Promise.all(
        Array.from({ length: 8 }, () => api.post('/auth', { login, password: 'secret-password' })),
      );
      assert.deepEqual(
        warm.map((r) => r.status),
        Array(8).fill(200),
      );

      assert.ok((await killSessions(db())) > 0, 'the app had sessions to end');
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++)
        statuses.push((await api.post('/auth', { login, password: 'secret-password' })).status);
      const wrong = statuses.filter((status) => status !== 200 && status !== 503);
      assert.deepEqual(wrong, [], `every answer is 200 or 503 (never 500, never 401): ${statuses.join(' ')}`);
      // Each ended session may cost at most one request, and only until the pool has noticed.
      assert.deepEqual(statuses.slice(10), Array(10).fill(200), `answers after the kill: ${statuses.join(' ')}`);
      assert.equal((await api.get('/health')).status, 200);
    },
  );

  it(
    'a database that does not exist: one log line saying how to create it, 503 meanwhile, then serves',
    TEST_TIMEOUT,
    async (t) => {
      if (!serverOnly(db(), t)) return;
      const missing = await db().sibling('missing');
      await missing.drop();
      const service = await spawnService({ DATABASE_URL: missing.url });
      let created: Awaited<ReturnType<TestDatabase['sibling']>> | undefined;
      try {
        // Listening, and answering 503 while the database is missing (a loaded machine boots slowly).
        let health: Reply | undefined;
        for (const deadline = Date.now() + 30_000; !health && Date.now() < deadline; await sleep(100)) {
          health = await client(() => service.url)
            .get('/health')
            .catch(() => undefined);
        }
        assert.equal(health?.status, 503, health?.text ?? `not listening:\n${service.output()}`);
        const name = new URL(missing.url).pathname.slice(1);
        const hint = `database ${name} does not exist: create it with CREATE DATABASE`;
        const said = () =>
          service
            .output()
            .split('\n')
            .filter((line) => line.includes(hint));
        for (const deadline = Date.now() + 15_000; said().length === 0 && Date.now() < deadline;) await sleep(100);
        // Several more retries (the pause doubles from 250 ms), none of them logged.
        await sleep(4000);
        assert.equal(said().length, 1, `the hint once, not per retry:\n${service.output()}`);
        assert.doesNotMatch(service.output(), /not ready .*(3D000|ER_BAD_DB_ERROR|does not exist|Unknown database)/);

        created = await db().sibling('missing');
        await waitHealthy(service.url, 20_000);
        const handle = uniqueLogin('late');
        assert.equal((await client(() => service.url).account(handle)).login, handle);
      } finally {
        service.kill();
        await service.exited;
        await created?.drop();
      }
    },
  );
});
