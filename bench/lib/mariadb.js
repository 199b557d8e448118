'use strict';
// The benchmark's own MariaDB database: the same interface as PgBenchDatabase (postgres.js).
const { createConnection } = require('mysql2/promise');

const QUERY_TIMEOUT_MS = 10_000;
/** Seeding statements write up to 10⁵ rows each. */
const SEED_TIMEOUT_MS = 300_000;

/** Tables whose row writes are counted during the steady-state window. */
const COUNTED_TABLES = ['accounts', 'tokens', 'security_events'];
const COUNTED_OPS = ['insert', 'update', 'delete'];
const GLOBAL_WRITE_COUNTERS = ['Com_insert', 'Com_update', 'Com_delete', 'Com_replace'];

function serverUri(serverUrl, database = '') {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * A database owned by the benchmark on a shared MariaDB server: dropped and created afresh,
 * dropped again at the end. Nothing outside it is changed.
 */
class BenchDatabase {
  engine = 'mariadb';

  constructor(serverUrl, name) {
    if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) throw new Error(`bad database name "${name}"`);
    this.serverUrl = serverUrl;
    this.name = name;
    this.url = serverUri(serverUrl, name);
  }

  async admin(fn) {
    const connection = await createConnection({ uri: serverUri(this.serverUrl), connectTimeout: 5000 });
    try {
      return await fn((sql, params) => connection.query({ sql, timeout: QUERY_TIMEOUT_MS }, params));
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }

  /** One statement in the benchmark's database (`?` placeholders); resolves to its rows. */
  async sql(text, params = [], timeout = SEED_TIMEOUT_MS) {
    const connection = await createConnection({ uri: this.url, connectTimeout: 5000 });
    try {
      const [rows] = await connection.query({ sql: text, timeout }, params);
      return rows;
    } finally {
      await connection.end().catch(() => connection.destroy());
    }
  }

  recreate() {
    return this.admin(async (query) => {
      await query(`DROP DATABASE IF EXISTS \`${this.name}\``);
      await query(`CREATE DATABASE \`${this.name}\` CHARACTER SET utf8mb4`);
    });
  }

  drop() {
    return this.admin((query) => query(`DROP DATABASE IF EXISTS \`${this.name}\``));
  }

  /**
   * Counts every row written to the service's tables from now on, with triggers that live in
   * this database only (performance_schema and userstat are off on the shared server, and
   * turning them on would reconfigure it). The count is exact and ignores other databases.
   */
  startCountingWrites() {
    return this.admin(async (query) => {
      await query(`USE \`${this.name}\``);
      await query(
        'CREATE TABLE IF NOT EXISTS bench_writes (tbl VARCHAR(32) NOT NULL, op VARCHAR(8) NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (tbl, op))',
      );
      await query('DELETE FROM bench_writes');
      for (const table of COUNTED_TABLES) {
        for (const op of COUNTED_OPS) {
          await query(`DROP TRIGGER IF EXISTS bench_${table}_${op}`);
          await query(
            `CREATE TRIGGER bench_${table}_${op} AFTER ${op.toUpperCase()} ON \`${table}\` FOR EACH ROW ` +
              `INSERT INTO bench_writes (tbl, op, n) VALUES ('${table}', '${op}', 1) ON DUPLICATE KEY UPDATE n = n + 1`,
          );
        }
      }
    });
  }

  /** Removes the triggers and returns the rows written since startCountingWrites. */
  stopCountingWrites() {
    return this.admin(async (query) => {
      await query(`USE \`${this.name}\``);
      for (const table of COUNTED_TABLES) {
        for (const op of COUNTED_OPS) await query(`DROP TRIGGER IF EXISTS bench_${table}_${op}`);
      }
      const [rows] = await query('SELECT tbl, op, n FROM bench_writes ORDER BY tbl, op');
      return rows.map((r) => ({ table: r.tbl, op: r.op, rows: Number(r.n) }));
    });
  }

  /** The server-wide statement counters: every client of the shared server moves them. */
  globalWriteCounters() {
    return this.admin(async (query) => {
      const [rows] = await query(
        `SHOW GLOBAL STATUS WHERE Variable_name IN (${GLOBAL_WRITE_COUNTERS.map(() => '?').join(', ')})`,
        GLOBAL_WRITE_COUNTERS,
      );
      return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
    });
  }
}

module.exports = { BenchDatabase };
