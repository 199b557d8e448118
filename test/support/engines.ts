import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe } from 'node:test';
import { createConnection } from 'mysql2/promise';
import Database from 'better-sqlite3';

export type EngineName = 'sqlite' | 'mariadb';

/** A fresh, private database for one spec file on one engine. */
export interface TestDatabase {
  engine: EngineName;
  url: string;
  /** Every row of every table, as text, plus (for SQLite) the raw bytes of its files. */
  dump(): Promise<string>;
  /** Runs SQL straight against the database, as another process would. */
  sql(statement: string, params?: unknown[]): Promise<unknown[]>;
}

/**
 * Where the MariaDB runs connect. scripts/run-tests.js probes the server once and passes an
 * empty value when it is not reachable (never under CI, where that is a failure).
 */
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

export const MARIADB_SKIP = MARIADB_URL === '' ? 'MariaDB is not reachable on 127.0.0.1:3306: MariaDB runs skipped' : false;

async function sqliteDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const path = join(dir, 'nested', 'gatehouse.sqlite');
  const open = () => new Database(path, { timeout: 5000 });
  return {
    engine: 'sqlite',
    url: `sqlite:${path}`,
    async dump() {
      const db = open();
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
        const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all()));
        const files = [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
        return [...rows, ...files].join('\n');
      } finally {
        db.close();
      }
    },
    async sql(statement, params = []) {
      const db = open();
      try {
        const prepared = db.prepare(statement);
        return prepared.reader ? prepared.all(...params) : [prepared.run(...params)];
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mariadbDatabase(fileId: string): Promise<TestDatabase & { drop(): Promise<void> }> {
  const name = `gh_e2e_${fileId.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}`.slice(0, 64);
  const server = new URL(MARIADB_URL);
  const admin = () => createConnection({ uri: `${server.protocol}//${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}${server.host}/` });
  const connection = await admin();
  await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const url = `${server.protocol}//${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}${server.host}/${name}`;
  const query = async (statement: string, params: unknown[] = []) => {
    const c = await createConnection({ uri: url });
    try {
      const [result] = await c.query(statement, params);
      return Array.isArray(result) ? (result as unknown[]) : [result];
    } finally {
      await c.end();
    }
  };
  return {
    engine: 'mariadb',
    url,
    async dump() {
      const tables = (await query('SHOW TABLES')) as Record<string, string>[];
      const parts = [];
      for (const row of tables) parts.push(JSON.stringify(await query(`SELECT * FROM \`${Object.values(row)[0]}\``)));
      return parts.join('\n');
    },
    sql: query,
    async drop() {
      const c = await admin();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/**
 * Declares the same suite once per engine, each on its own fresh database for this file.
 * `body` receives a getter: the database exists from the suite's `before` hook on.
 */
export function eachEngine(file: string, body: (db: () => TestDatabase) => void): void {
  const fileId = basename(file).replace(/\.e2e-spec\.js$/, '');
  for (const engine of ['sqlite', 'mariadb'] as const) {
    describe(engine, { skip: engine === 'mariadb' ? MARIADB_SKIP : false }, () => {
      let database: (TestDatabase & { drop(): Promise<void> }) | undefined;
      before(async () => {
        database = engine === 'sqlite' ? await sqliteDatabase() : await mariadbDatabase(fileId);
      });
      after(async () => {
        await database?.drop();
      });
      body(() => {
        if (!database) throw new Error('database not provisioned yet');
        return database;
      });
    });
  }
}
