'use strict';
// The benchmark's own PostgreSQL database: the same interface as BenchDatabase (mariadb.js).
const { Client } = require('pg');

const QUERY_TIMEOUT_MS = 10_000;
/** Seeding statements write up to 10⁵ rows each. */
const SEED_TIMEOUT_MS = 300_000;
const COUNTED_TABLES = ['accounts', 'tokens', 'security_events'];

function serverUri(serverUrl, database) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A database owned by the benchmark on a shared PostgreSQL server: dropped and created afresh,
 * dropped again at the end. Nothing outside it is changed.
 */
class PgBenchDatabase {
  engine = 'postgres';

  constructor(serverUrl, name) {
    if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`bad database name "${name}" (lower case, digits, _)`);
    this.serverUrl = serverUrl;
    this.name = name;
    this.url = serverUri(serverUrl, name);
  }

  async run(database, fn, timeout = QUERY_TIMEOUT_MS) {
    const client = new Client({
      connectionString: serverUri(this.serverUrl, database),
      connectionTimeoutMillis: 5000,
      query_timeout: timeout,
    });
    await client.connect();
    try {
      return await fn((sql, params) => client.query(sql, params));
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** One statement in the benchmark's database (`$1` placeholders); resolves to its rows. */
  sql(text, params = [], timeout = SEED_TIMEOUT_MS) {
    return this.run(this.name, async (query) => (await query(text, params)).rows, timeout);
  }

  recreate() {
    return this.run('postgres', async (query) => {
      await query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
      await query(`CREATE DATABASE "${this.name}" ENCODING 'UTF8' TEMPLATE template0`);
    });
  }

  drop() {
    return this.run('postgres', (query) => query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`));
  }

  /** Counts every row written to the service's tables from now on, with triggers in this database only. */
  startCountingWrites() {
    return this.run(this.name, async (query) => {
      await query(
        'CREATE TABLE IF NOT EXISTS bench_writes (tbl text NOT NULL, op text NOT NULL, n bigint NOT NULL, PRIMARY KEY (tbl, op))',
      );
      await query('DELETE FROM bench_writes');
      await query(`CREATE OR REPLACE FUNCTION bench_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO bench_writes (tbl, op, n) VALUES (TG_TABLE_NAME, lower(TG_OP), 1)
        ON CONFLICT (tbl, op) DO UPDATE SET n = bench_writes.n + 1;
        RETURN NULL; END $$`);
      for (const table of COUNTED_TABLES) {
        await query(`DROP TRIGGER IF EXISTS bench_${table} ON "${table}"`);
        await query(
          `CREATE TRIGGER bench_${table} AFTER INSERT OR UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION bench_count()`,
        );
      }
    });
  }

  /** Removes the triggers and returns the rows written since startCountingWrites. */
  stopCountingWrites() {
    return this.run(this.name, async (query) => {
      for (const table of COUNTED_TABLES) await query(`DROP TRIGGER IF EXISTS bench_${table} ON "${table}"`);
      const { rows } = await query('SELECT tbl, op, n FROM bench_writes ORDER BY tbl, op');
      return rows.map((r) => ({ table: r.tbl, op: r.op, rows: Number(r.n) }));
    });
  }

  /** Rows written in this database by anyone, from the statistics collector (updated with some delay). */
  globalWriteCounters() {
    return this.run(this.name, async (query) => {
      const { rows } = await query(
        'SELECT tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()',
      );
      const row = rows[0] ?? {};
      return {
        tup_inserted: Number(row.tup_inserted ?? 0),
        tup_updated: Number(row.tup_updated ?? 0),
        tup_deleted: Number(row.tup_deleted ?? 0),
      };
    });
  }
}

module.exports = { PgBenchDatabase };
