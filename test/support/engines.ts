import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe } from 'node:test';
import { createConnection } from 'mysql2/promise';
import Database from 'better-sqlite3';
import { Client } from 'pg';

export type EngineName = 'sqlite' | 'mariadb' | 'postgres';

/** A fresh, private database for one spec file on one engine. */
export interface TestDatabase {
  engine: EngineName;
  url: string;
  /**
   * Every row of every table, as text, plus (for SQLite) the raw bytes of its files. With
   * `except`, the rows of those tables are left out, and so are SQLite's bytes (which hold them).
   */
  dump(options?: DumpOptions): Promise<string>;
  /**
   * Runs SQL straight against the database, as another process would. Placeholders are `?` on
   * every engine; an array parameter stands for a list (`IN (?)`).
   */
  sql(statement: string, params?: unknown[]): Promise<unknown[]>;
  /** The names of the tables in this database, sorted. */
  tables(): Promise<string[]>;
  /** Another fresh, empty database on the same server (not for SQLite), dropped by its `drop`. */
  sibling(suffix: string): Promise<DroppableDatabase>;
}

export type DroppableDatabase = TestDatabase & { drop(): Promise<void> };

export interface DumpOptions {
  /** Tables left out, e.g. the audit log's, which records even what changed nothing else. */
  except?: readonly string[];
}

const kept = (table: string, options: DumpOptions = {}): boolean => !(options.except ?? []).includes(table);

/**
 * Where the MariaDB runs connect. scripts/run-tests.js probes the server once and passes an
 * empty value when it is not reachable (never under CI, where that is a failure).
 */
const MARIADB_URL = process.env.TEST_MARIADB_URL ?? 'mysql://root@127.0.0.1:3306';

export const MARIADB_SKIP =
  MARIADB_URL === '' ? 'MariaDB is not reachable on 127.0.0.1:3306: MariaDB runs skipped' : false;

/** Where the PostgreSQL runs connect; probed by scripts/run-tests.js like MariaDB. */
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export const POSTGRES_SKIP =
  POSTGRES_URL === '' ? 'PostgreSQL is not reachable on 127.0.0.1:5432: PostgreSQL runs skipped' : false;

/** `TEST_ENGINES=postgres,sqlite` runs only those engines' suites (default: all three). */
const ONLY = (process.env.TEST_ENGINES ?? '').split(',').filter((name) => name.trim() !== '');
const notSelected = (engine: string) => (ONLY.length > 0 && !ONLY.includes(engine) ? `not in TEST_ENGINES` : false);

/** A database name for one spec file in this process, within both servers' limits. */
function databaseName(fileId: string, suffix = ''): string {
  const base = `gh_e2e_${fileId.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`;
  const tail = `_${process.pid}${suffix ? `_${suffix}` : ''}`;
  return `${base.slice(0, 63 - tail.length)}${tail}`;
}

async function sqliteDatabase(): Promise<DroppableDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-'));
  const path = join(dir, 'nested', 'gatehouse.sqlite');
  const open = () => new Database(path, { timeout: 5000 });
  const sql = async (statement: string, params: unknown[] = []): Promise<unknown[]> => {
    const db = open();
    try {
      const prepared = db.prepare(statement);
      return prepared.reader ? prepared.all(...params) : [prepared.run(...params)];
    } finally {
      db.close();
    }
  };
  return {
    engine: 'sqlite',
    url: `sqlite:${path}`,
    async dump(options) {
      const db = open();
      try {
        const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
          .map((t) => t.name)
          .filter((t) => kept(t, options));
        const rows = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all()));
        const files = options?.except?.length
          ? []
          : [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1'));
        return [...rows, ...files].join('\n');
      } finally {
        db.close();
      }
    },
    sql,
    async tables() {
      const rows = (await sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )) as { name: string }[];
      return rows.map((row) => row.name);
    },
    async sibling() {
      throw new Error('SQLite has no server to hold another database');
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function mariadbDatabase(fileId: string, suffix = ''): Promise<DroppableDatabase> {
  const name = databaseName(fileId, suffix);
  const server = new URL(MARIADB_URL);
  const admin = () =>
    createConnection({
      uri: `mysql://${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}${server.host}/`,
    });
  const connection = await admin();
  await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  // The app is given mariadb://, which selects TypeORM's MariaDB dialect (src/config/config.ts).
  const url = `mariadb://${server.username ? `${server.username}${server.password ? `:${server.password}` : ''}@` : ''}${server.host}/${name}`;
  const query = async (statement: string, params: unknown[] = []) => {
    const c = await createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
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
    async dump(options) {
      const tables = ((await query('SHOW TABLES')) as Record<string, string>[])
        .map((row) => Object.values(row)[0])
        .filter((t) => kept(t, options));
      const parts = [];
      for (const table of tables) parts.push(JSON.stringify(await query(`SELECT * FROM \`${table}\``)));
      return parts.join('\n');
    },
    sql: query,
    async tables() {
      const rows = (await query(
        'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
        [name],
      )) as { t: string }[];
      return rows.map((row) => row.t);
    },
    sibling: (more) => mariadbDatabase(fileId, suffix ? `${suffix}_${more}` : more),
    async drop() {
      const c = await admin();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** `?` placeholders to pg's `$n`; an array parameter becomes a list of placeholders. */
function positional(statement: string, params: unknown[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  let next = 0;
  const text = statement.replace(/\?/g, () => {
    const param = params[next++];
    const items = Array.isArray(param) ? param : [param];
    return items.map((item) => `$${values.push(item)}`).join(', ');
  });
  return { text, values };
}

async function postgresDatabase(fileId: string, suffix = ''): Promise<DroppableDatabase> {
  const name = databaseName(fileId, suffix);
  const server = new URL(POSTGRES_URL);
  const urlOf = (database: string) => {
    const url = new URL(server.toString());
    url.port = url.port || '5432';
    url.pathname = `/${database}`;
    return url.toString();
  };
  const run = async (url: string, text: string, values?: unknown[]) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  };
  const admin = urlOf('postgres');
  // FORCE: a spec that failed half-way may have left a connection open.
  await run(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await run(admin, `CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  const url = urlOf(name);
  const query = async (statement: string, params: unknown[] = []) => {
    // Without parameters, the simple protocol: several statements (a trigger and its function) at once.
    if (params.length === 0) {
      const results = await run(url, statement);
      return (Array.isArray(results) ? results.at(-1) : results).rows as unknown[];
    }
    const { text, values } = positional(statement, params);
    return (await run(url, text, values)).rows as unknown[];
  };
  const tables = async () => {
    const rows = (await query(
      "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    )) as { t: string }[];
    return rows.map((row) => row.t);
  };
  return {
    engine: 'postgres',
    url,
    async dump(options) {
      const parts = [];
      for (const table of (await tables()).filter((t) => kept(t, options)))
        parts.push(JSON.stringify(await query(`SELECT * FROM "${table}"`)));
      return parts.join('\n');
    },
    sql: query,
    tables,
    sibling: (more) => postgresDatabase(fileId, suffix ? `${suffix}_${more}` : more),
    async drop() {
      await run(admin, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/**
 * Makes `event` on `table` fail inside whatever transaction attempts it, for the rows where
 * `condition` (SQL over OLD/NEW, the same on every engine) holds. Returns what removes it.
 */
export async function failingTrigger(
  db: TestDatabase,
  name: string,
  table: string,
  event: 'INSERT' | 'UPDATE' | 'DELETE',
  condition = '1 = 1',
  message = 'refused by test',
): Promise<() => Promise<void>> {
  if (db.engine === 'sqlite') {
    await db.sql(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} WHEN ${condition} BEGIN SELECT RAISE(ABORT, '${message}'); END`,
    );
    return async () => void (await db.sql(`DROP TRIGGER IF EXISTS ${name}`));
  }
  if (db.engine === 'mariadb') {
    await db.sql(
      `CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW BEGIN IF ${condition} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${message}'; END IF; END`,
    );
    return async () => void (await db.sql(`DROP TRIGGER IF EXISTS ${name}`));
  }
  await db.sql(
    `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF ${condition} THEN RAISE EXCEPTION '${message}'; END IF; RETURN COALESCE(NEW, OLD); END $$;
     CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}()`,
  );
  return async () =>
    void (await db.sql(`DROP TRIGGER IF EXISTS ${name} ON ${table}; DROP FUNCTION IF EXISTS ${name}()`));
}

/**
 * Declares the same suite once per engine, each on its own fresh database for this file.
 * `body` receives a getter: the database exists from the suite's `before` hook on.
 */
export function eachEngine(file: string, body: (db: () => TestDatabase) => void): void {
  const fileId = basename(file).replace(/\.e2e-spec\.js$/, '');
  const engines = {
    sqlite: { skip: false as const, provision: () => sqliteDatabase() },
    mariadb: { skip: MARIADB_SKIP, provision: () => mariadbDatabase(fileId) },
    postgres: { skip: POSTGRES_SKIP, provision: () => postgresDatabase(fileId) },
  };
  for (const [engine, { skip, provision }] of Object.entries(engines)) {
    describe(engine, { skip: skip || notSelected(engine) }, () => {
      let database: DroppableDatabase | undefined;
      before(async () => {
        database = await provision();
      });
      body(() => {
        if (!database) throw new Error('database not provisioned yet');
        return database;
      });
      // Registered after the body's hooks, so it runs after them: apps close before their database goes.
      after(async () => {
        await database?.drop();
      });
    });
  }
}
