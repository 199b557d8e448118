'use strict';
/*
 * Large tables, written directly in SQL in bounded time: accounts that share one real password
 * hash (copied from an account registered through the API, so signing in as any of them works),
 * tokens whose plaintext the benchmark can compute (knownToken), stored as the service stores
 * them (hex SHA-256), and stored security events (the audit log) of those accounts. Rows come
 * from MariaDB's sequence tables or PostgreSQL's generate_series, up to CHUNK rows per statement.
 */
const { createHash } = require('node:crypto');

const CHUNK = 100_000;
const TOKEN_LENGTH = 43;

/** The i-th token of a seeded set: `prefix` (letters) then i, zero-padded to a token's 43 characters. */
function knownToken(prefix, i) {
  return `${prefix}${String(i).padStart(TOKEN_LENGTH - prefix.length, '0')}`;
}

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The SQL dialect's pieces. The seeding statements are built from checked literals only
 * (prefixes of lower-case letters and digits, integers), so they take no parameters.
 */
function dialect(db) {
  if (db.engine === 'postgres') {
    return {
      n: 's.n',
      rows: (from, to) => `generate_series(${from}, ${to}) AS s(n)`,
      text: (expr) => `${expr}::text`,
      concat: (...parts) => parts.join(' || '),
      hash: (expr) => `encode(sha256(convert_to(${expr}, 'UTF8')), 'hex')`,
      param: '$1',
    };
  }
  return {
    n: 's.seq',
    rows: (from, to) => `seq_${from}_to_${to} AS s`,
    text: (expr) => `CAST(${expr} AS CHAR)`,
    concat: (...parts) => `CONCAT(${parts.join(', ')})`,
    hash: (expr) => `SHA2(${expr}, 256)`,
    param: '?',
  };
}

function checked(prefix, ...numbers) {
  if (!/^[a-z][a-z0-9]{0,11}$/.test(prefix)) throw new Error(`bad seed prefix "${prefix}"`);
  for (const n of numbers) if (!Number.isSafeInteger(n)) throw new Error(`bad seed number ${n}`);
}

/** Runs `statement(from, to)` for consecutive chunks of [first, first + count). */
async function inChunks(first, count, statement) {
  for (let from = first; from < first + count; from += CHUNK) {
    await statement(from, Math.min(first + count, from + CHUNK) - 1);
  }
}

/** The stored password hash of an account registered through the API. */
async function passwordHashOf(db, login) {
  const rows = await db.sql(`SELECT password_hash FROM accounts WHERE login = ${dialect(db).param}`, [login], 10_000);
  if (!rows[0]) throw new Error(`no account "${login}" to copy a password hash from`);
  return rows[0].password_hash;
}

/**
 * Accounts `${prefix}${i}` for i in [first, first + count), all with `passwordHash`. `prefix`
 * is lower-case letters and digits, so that the login is its own login key.
 */
async function seedAccounts(db, { prefix, first, count, passwordHash, createdAt = Date.now() }) {
  checked(prefix, first, count, createdAt);
  const d = dialect(db);
  const login = d.concat(`'${prefix}'`, d.text(d.n));
  await inChunks(first, count, (from, to) =>
    db.sql(
      `INSERT INTO accounts (login_key, login, password_hash, created_at) SELECT ${login}, ${login}, ${d.param}, ${createdAt} FROM ${d.rows(from, to)}`,
      [passwordHash],
    ),
  );
}

/** The id of account `${prefix}${i}` (seeded accounts are numbered in insertion order). */
async function accountIdOf(db, login) {
  const rows = await db.sql(`SELECT id FROM accounts WHERE login = ${dialect(db).param}`, [login], 10_000);
  if (!rows[0]) throw new Error(`no account "${login}"`);
  return Number(rows[0].id);
}

/**
 * The id of the first of the accounts `${prefix}${i}`, i in [first, first + count), after
 * checking that their ids follow on without a gap (as seedTokens needs): one seeding statement
 * numbers its rows in a row, but there may be gaps between statements.
 */
async function accountIdRange(db, prefix, first, count) {
  const firstId = await accountIdOf(db, `${prefix}${first}`);
  const lastId = await accountIdOf(db, `${prefix}${first + count - 1}`);
  if (lastId - firstId !== count - 1) {
    throw new Error(`the ids of ${prefix}${first}…${first + count - 1} are not consecutive (${firstId}…${lastId})`);
  }
  return firstId;
}

/**
 * Tokens knownToken(prefix, i) for i in [first, first + count), spread round-robin over the
 * accounts with ids [firstAccountId, firstAccountId + accounts), expiring at `expiresAt`
 * (in the past for expired rows). Their public ids are `${prefix}${i}` (unique per prefix).
 */
async function seedTokens(db, { prefix, first, count, firstAccountId, accounts = 1, expiresAt, createdAt }) {
  const created = createdAt ?? Math.min(Date.now(), expiresAt - 1);
  checked(prefix, first, count, firstAccountId, accounts, created, expiresAt);
  const d = dialect(db);
  const token = d.concat(`'${prefix}'`, `LPAD(${d.text(d.n)}, ${TOKEN_LENGTH - prefix.length}, '0')`);
  const publicId = d.concat(`'${prefix}'`, d.text(d.n));
  await inChunks(first, count, (from, to) =>
    db.sql(
      `INSERT INTO tokens (token_hash, account_id, created_at, expires_at, public_id) ` +
        `SELECT ${d.hash(token)}, ${firstAccountId} + MOD(${d.n}, ${accounts}), ${created}, ${expiresAt}, ${publicId} FROM ${d.rows(from, to)}`,
    ),
  );
}

/** Characters of a stored event's id (22 of base64url, as the service makes them). */
const EVENT_ID_LENGTH = 22;

/**
 * Security events `${prefix}` + i, zero-padded to an event id's 22 characters, for i in [first,
 * first + count), each a `sign-in.succeeded` of the account that seedTokens gives token i (the
 * same round-robin over [firstAccountId, firstAccountId + accounts), whose logins are
 * `${loginPrefix}${firstLogin + k}`), one millisecond apart going back from `at`.
 */
async function seedEvents(db, { prefix, first, count, firstAccountId, accounts, loginPrefix, firstLogin, at }) {
  checked(prefix, first, count, firstAccountId, accounts, firstLogin, at);
  checked(loginPrefix);
  const d = dialect(db);
  const id = d.concat(`'${prefix}'`, `LPAD(${d.text(d.n)}, ${EVENT_ID_LENGTH - prefix.length}, '0')`);
  const login = d.concat(`'${loginPrefix}'`, d.text(`(${firstLogin} + MOD(${d.n}, ${accounts}))`));
  await inChunks(first, count, (from, to) =>
    db.sql(
      'INSERT INTO security_events (id, event, account_id, login, address, client, at, via, details) ' +
        `SELECT ${id}, 'sign-in.succeeded', ${firstAccountId} + MOD(${d.n}, ${accounts}), ${login}, '203.0.113.7', ` +
        `'Firefox on Linux', ${at} - ${d.n}, NULL, NULL FROM ${d.rows(from, to)}`,
    ),
  );
}

/** Row counts of the service's three large tables. */
async function tableSizes(db) {
  const [accounts] = await db.sql('SELECT COUNT(*) AS c FROM accounts', [], 120_000);
  const [tokens] = await db.sql('SELECT COUNT(*) AS c FROM tokens', [], 120_000);
  const [events] = await db.sql('SELECT COUNT(*) AS c FROM security_events', [], 120_000);
  return { accounts: Number(accounts.c), tokens: Number(tokens.c), events: Number(events.c) };
}

/**
 * Tables at rest after a bulk load, as a service's tables are after hours of use: fresh planner
 * statistics on both engines, and on PostgreSQL a VACUUM too, so that a measurement does not meet
 * the first reads of a million fresh rows (each sets its row's hint bits, a write) or the
 * autovacuum such a load sets off. On PostgreSQL the uncached check's growth to 10⁶ tokens read
 * 1.36 in a full run without it, 1.28 in a full run with it and 1.05 in the phase run alone with
 * it (BENCHMARKS.md): the vacuum keeps background work out of the figure, not the growth itself.
 */
async function analyze(db) {
  const tables = 'accounts, tokens, security_events';
  const sql = db.engine === 'postgres' ? `VACUUM ANALYZE ${tables}` : `ANALYZE TABLE ${tables}`;
  await db.sql(sql, [], 300_000);
}

module.exports = {
  knownToken,
  sha256,
  passwordHashOf,
  seedAccounts,
  accountIdOf,
  accountIdRange,
  seedTokens,
  seedEvents,
  tableSizes,
  analyze,
};
