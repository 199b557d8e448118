import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import Database from 'better-sqlite3';
import { NotesModule } from '../examples/notes/notes.module';
import { OffsetClock } from '../src/clock/clock';
import { SecurityEvents } from '../src/events/security-events';
import { appPerSuite, startApp } from './support/app';
import { eachEngine, failingTrigger, type TestDatabase } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';

/**
 * The audit log (CONTRACT section 20): what is stored, in which transaction, what an account's
 * deletion erases, the account's own view of it, and its retention.
 */
const HOUR = 3_600_000;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const TEST_TIMEOUT = { timeout: 60_000 };

/** A row of security_events as the drivers return it (bigint as a string on some). */
interface Row {
  id: string;
  event: string;
  account_id: number | string | null;
  login: string | null;
  address: string | null;
  client: string | null;
  at: number | string;
  via: string | null;
  details: string | null;
}

/** The fields of a log line, from a stored row: what must match, key for key. */
function asLine(row: Row): Record<string, unknown> {
  return {
    event: row.event,
    accountId: row.account_id === null ? null : Number(row.account_id),
    login: row.login,
    address: row.address,
    at: new Date(Number(row.at)).toISOString(),
    ...(row.client !== null ? { client: row.client } : {}),
    ...(row.details !== null ? (JSON.parse(row.details) as object) : {}),
    ...(row.via !== null ? { via: row.via } : {}),
  };
}

/** One comparable text per event, whatever the order of its keys; a null client is no client. */
function canonical(event: Record<string, unknown>): string {
  const { client, ...rest } = event;
  const fields = client === null || client === undefined ? rest : { ...rest, client };
  return JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))));
}

/** Reads until `done` holds (the queued events are written within a second), at most `ms`. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(50);
  }
}

const rowsOf = async (db: TestDatabase, accountId: number): Promise<Row[]> =>
  (await db.sql('SELECT * FROM security_events WHERE account_id = ? ORDER BY at, id', [accountId])) as Row[];

/** Inserts events straight into the table, as an older or another instance's would be. */
async function insertEvents(db: TestDatabase, accountId: number, times: number[]): Promise<string[]> {
  const ids = times.map(() => randomBytes(16).toString('base64url'));
  for (let i = 0; i < times.length; i += 50) {
    const batch = times.slice(i, i + 50);
    await db.sql(
      `INSERT INTO security_events (id, event, account_id, login, address, client, at, via, details) VALUES ${batch
        .map(() => "(?, 'sign-in.succeeded', ?, 'seeded', '127.0.0.99', NULL, ?, NULL, NULL)")
        .join(', ')}`,
      batch.flatMap((at, j) => [ids[i + j], accountId, at]),
    );
  }
  return ids;
}

eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const env = { LOGIN_MAX_FAILURES: '2', AUDIT_RETENTION: '2h', TOKEN_SWEEP_INTERVAL: '0.5s' };
  const running = appPerSuite(db, env, [NotesModule], { clock });
  const api = client(() => running().url);
  const from = (address: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    postFrom(address, running().url, path, body, headers);
  const activity = (token: string, query = '') => api.get(`/api/auth/activity${query}`, { Authentication: token });
  const accountIdOf = async (login: string): Promise<number> => {
    const [row] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as { id: number }[];
    return Number(row.id);
  };

  it(
    "stores every event of an account with the fields of its log line, a module's events too",
    TEST_TIMEOUT,
    async () => {
      const [A, B] = ['127.0.0.11', '127.0.0.12'];
      const handle = uniqueLogin('audit');
      const pwd = b64('secret-password');
      const firefox = { 'user-agent': FIREFOX };
      const first = (await from(A, '/api/auth/register', { handle, pwd }, firefox)).body.token as string;
      const id = await accountIdOf(handle);
      const auth = { Authentication: first };
      const tokens: string[] = [];
      for (let i = 0; i < 3; i++)
        tokens.push((await from(A, '/api/auth/login', { handle, pwd }, i === 0 ? firefox : {})).body.token as string);
      assert.equal((await from(A, '/api/auth/invalidate', { token: tokens[0] }, auth)).status, 200);
      const sessions = (await api.get('/api/auth/sessions', auth)).body.sessions as { id: string; current: boolean }[];
      const other = sessions.find((s) => !s.current)!.id;
      assert.equal((await from(A, '/api/auth/sessions/revoke', { id: other }, auth)).status, 200);
      assert.equal((await from(A, '/api/auth/sessions/revoke-others', { pwd }, auth)).status, 200);
      const newPwd = b64('fresh-password');
      assert.equal((await from(A, '/api/auth/password', { pwd, newPwd }, auth)).status, 200);
      // Two failures from B (a password, a recovery code), then B is locked out.
      assert.equal((await from(B, '/api/auth/login', { handle, pwd })).status, 401);
      const recover = { handle, code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF', newPwd: pwd };
      assert.equal((await from(B, '/api/auth/recover', recover)).status, 401);
      assert.equal((await from(B, '/api/auth/login', { handle, pwd: newPwd })).status, 429);
      // A module's events: one in its change's transaction, one queued.
      assert.equal((await from(A, '/api/notes', { text: 'hello', public: true }, auth)).status, 201);
      running()
        .app.get(SecurityEvents)
        .record({ event: 'notes.deleted', accountId: id, login: handle, address: A, count: 2, pinned: false });

      const logged = running().events.filter((e) => e.accountId === id);
      assert.deepEqual([...new Set(logged.map((e) => e.event))].sort(), [
        'account.registered',
        'note.published',
        'notes.deleted',
        'password.changed',
        'recovery-code.failed',
        'sign-in.failed',
        'sign-in.locked-out',
        'sign-in.succeeded',
        'token.revoked',
      ]);
      const stored = await eventually(
        () => rowsOf(db(), id),
        (rows) => rows.length >= logged.length,
      );
      assert.deepEqual(
        stored.map((row) => canonical(asLine(row))).sort(),
        logged.map((event) => canonical(event as unknown as Record<string, unknown>)).sort(),
      );
      const registered = stored.find((row) => row.event === 'account.registered')!;
      assert.equal(registered.client, 'Firefox on Linux');
      assert.deepEqual(JSON.parse(stored.find((row) => row.event === 'notes.deleted')!.details!), {
        count: 2,
        pinned: false,
      });
      for (const row of stored) assert.match(row.id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(new Set(stored.map((row) => row.id)).size, stored.length);

      // A failure that named no account keeps no login.
      const ghost = uniqueLogin('ghost');
      assert.equal((await from(B, '/auth', { login: ghost, password: 'whatever-it-is' })).status, 401);
      const [unknown] = await eventually(
        async () =>
          (await db().sql(
            "SELECT * FROM security_events WHERE account_id IS NULL AND address = ? AND event = 'sign-in.failed'",
            [B],
          )) as Row[],
        (rows) => rows.length > 0,
      );
      assert.deepEqual([unknown?.account_id, unknown?.login], [null, null]);
      assert.ok(!JSON.stringify(await db().sql('SELECT * FROM security_events')).includes(ghost));
    },
  );

  it('stores no event for a change that rolls back, and lets no change commit without its event', async () => {
    const { login, password, token } = await api.account();
    const id = await accountIdOf(login);
    const other = (await api.post('/auth', { login, password })).body.token as string;
    const change = (newPassword: string) =>
      api.post('/api/auth/password', { pwd: b64(password), newPwd: b64(newPassword) }, { Authentication: token });
    const changes = async () =>
      (await rowsOf(db(), id)).filter((row) => ['password.changed', 'token.revoked'].includes(row.event));

    // The change itself fails inside its transaction: no event.
    const dropUpdate = await failingTrigger(db(), 'audit_refuse_update', 'accounts', 'UPDATE');
    try {
      assert.equal((await change('first-new-password')).status, 500);
    } finally {
      await dropUpdate();
    }
    // The event cannot be stored: the change does not happen either.
    const dropInsert = await failingTrigger(
      db(),
      'audit_refuse_event',
      'security_events',
      'INSERT',
      "NEW.event = 'password.changed'",
    );
    try {
      assert.equal((await change('second-new-password')).status, 500);
    } finally {
      await dropInsert();
    }
    await sleep(1_200);
    assert.deepEqual(await changes(), []);
    assert.equal(running().events.filter((e) => e.accountId === id && e.event === 'password.changed').length, 0);
    assert.equal((await api.post('/auth', { login, password })).status, 200, 'the old password still works');
    assert.equal((await api.get('/api/auth/me', { Authentication: other })).status, 200, 'nothing was revoked');
    // And once both can commit, both are there.
    assert.equal((await change('third-new-password')).status, 200);
    assert.deepEqual((await changes()).map((row) => row.event).sort(), ['password.changed', 'token.revoked']);
  });

  it(
    'erases login, addresses and client labels on deletion, from events stored before and after it',
    TEST_TIMEOUT,
    async () => {
      const E = '127.0.0.13';
      const handle = uniqueLogin('erase');
      const pwd = b64('secret-password');
      const token = (await from(E, '/api/auth/register', { handle, pwd }, { 'user-agent': FIREFOX })).body
        .token as string;
      const id = await accountIdOf(handle);
      await from(E, '/api/auth/login', { handle, pwd }, { 'user-agent': FIREFOX });
      await from(E, '/api/auth/login', { handle, pwd: b64('wrong-password') });
      await eventually(
        () => rowsOf(db(), id),
        (rows) => rows.length >= 3,
      );
      assert.equal((await from(E, '/api/auth/delete', { pwd }, { Authentication: token })).status, 200);
      // Recorded before the deletion but written after it (here, or queued on another instance).
      running()
        .app.get(SecurityEvents)
        .record({ event: 'sign-in.failed', accountId: id, login: handle, address: E, client: 'Firefox on Linux' });
      const rows = await eventually(
        () => rowsOf(db(), id),
        (found) => found.length >= 6,
      );
      assert.deepEqual(rows.map((row) => row.event).sort(), [
        'account.deleted',
        'account.registered',
        'sign-in.failed',
        'sign-in.failed',
        'sign-in.succeeded',
        'token.revoked',
      ]);
      for (const row of rows) {
        assert.equal(Number(row.account_id), id, 'the account id stays');
        assert.deepEqual([row.login, row.address, row.client], [null, null, null], row.event);
      }
      // No other table keeps them.
      const rest = await db().dump({ except: ['security_events'] });
      assert.ok(!rest.includes(handle) && !rest.includes(E));
    },
  );

  it(
    'pages the activity newest first, 50 a page, without duplicates or gaps while new events arrive',
    TEST_TIMEOUT,
    async () => {
      const { login, password, token } = await api.account();
      const id = await accountIdOf(login);
      // Older than the account's own events, three to a millisecond: the ids decide within one.
      const base = clock.now() - HOUR;
      await insertEvents(
        db(),
        id,
        Array.from({ length: 130 }, (_, i) => base + Math.floor(i / 3)),
      );
      await eventually(
        () => rowsOf(db(), id),
        (rows) => rows.length >= 132,
      );
      const present = new Set((await rowsOf(db(), id)).map((row) => row.id));
      const seen: { id: string; at: string }[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const reply = await activity(token, next === null ? '' : `?before=${encodeURIComponent(next)}`);
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.status, 'ok');
        const events = reply.body.events as { id: string; at: string; event: string; details: object }[];
        assert.ok(events.length <= 50);
        if (reply.body.next !== null) assert.equal(events.length, 50);
        seen.push(...events);
        next = reply.body.next as string | null;
        pages++;
        // Newer events arrive between pages.
        await insertEvents(db(), id, [clock.now() + pages]);
        assert.equal((await api.post('/auth', { login, password })).status, 200);
      } while (next !== null && pages < 10);
      assert.equal(pages, 3);
      const ids = seen.map((event) => event.id);
      assert.equal(new Set(ids).size, ids.length, 'no event twice');
      assert.deepEqual(new Set(ids), present, 'every event that was there, and no other');
      for (let i = 1; i < seen.length; i++) assert.ok(Date.parse(seen[i - 1].at) >= Date.parse(seen[i].at));
    },
  );

  it("never shows another account's events, and refuses a cursor it did not give", async () => {
    const a = await api.account();
    const b = await api.account();
    const [aId, bId] = [await accountIdOf(a.login), await accountIdOf(b.login)];
    await insertEvents(
      db(),
      aId,
      Array.from({ length: 60 }, (_, i) => clock.now() - HOUR + i),
    );
    await insertEvents(db(), bId, [clock.now() - HOUR]);
    const first = await activity(a.token);
    assert.equal(first.status, 200);
    const cursor = first.body.next as string;
    assert.ok(typeof cursor === 'string');
    const mine = await activity(b.token);
    const bIds = new Set((await rowsOf(db(), bId)).map((row) => row.id));
    assert.ok((mine.body.events as { id: string }[]).every((event) => bIds.has(event.id)));
    const refused = [
      await activity(b.token, `?before=${encodeURIComponent(cursor)}`),
      await activity(a.token, `?before=${randomBytes(16).toString('base64url')}`),
      await activity(a.token, '?before=not-a-cursor'),
      await activity(a.token, '?before='),
      await activity(a.token, `?before=${encodeURIComponent(cursor)}&before=${encodeURIComponent(cursor)}`),
      await activity(a.token, '?page=2'),
    ];
    for (const reply of refused) {
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.status, 'error');
      assert.equal(reply.body.error, 'Bad Request');
      assert.ok(!reply.text.includes(a.login));
    }
    assert.equal((await activity(a.token, `?before=${encodeURIComponent(cursor)}`)).status, 200);
    assert.equal((await api.get('/api/auth/activity')).status, 401);
  });

  it('stores a burst of failed sign-ins completely when the service stops cleanly', TEST_TIMEOUT, async () => {
    const own = await startApp(db(), { LOGIN_MAX_FAILURES: '1000' });
    let closed = false;
    try {
      const { login } = await client(() => own.url).account();
      const id = await accountIdOf(login);
      const burst = 300;
      for (let i = 0; i < burst; i += 30) {
        await Promise.all(
          Array.from({ length: 30 }, () =>
            fetch(`${own.url}/auth`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ login, password: 'not-the-password' }),
            }).then((r) => r.arrayBuffer()),
          ),
        );
      }
      await own.close();
      closed = true;
      const failed = (await rowsOf(db(), id)).filter((row) => row.event === 'sign-in.failed');
      assert.equal(failed.length, burst);
      assert.equal(own.events.filter((e) => e.accountId === id && e.event === 'sign-in.failed').length, burst);
    } finally {
      if (!closed) await own.close();
    }
  });

  it('leaves none of the erased values in the SQLite files once the service has stopped', TEST_TIMEOUT, async (t) => {
    if (db().engine !== 'sqlite') return t.skip('about the embedded database');
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-erase-'));
    try {
      const own = await startApp({ url: `sqlite:${join(dir, 'gatehouse.sqlite')}` });
      const [E, K] = ['127.0.0.213', '127.0.0.214'];
      const erasedLogin = `erasedprobe${randomBytes(6).toString('hex')}`;
      const keptLogin = `keptprobe${randomBytes(6).toString('hex')}`;
      const pwd = b64('secret-password');
      const post = (address: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
        postFrom(address, own.url, path, body, headers);
      let token = '';
      try {
        for (const [handle, address] of [
          [keptLogin, K],
          [erasedLogin, E],
        ]) {
          token = (await post(address, '/api/auth/register', { handle, pwd })).body.token as string;
          for (let i = 0; i < 20; i++) await post(address, '/api/auth/login', { handle, pwd });
          await post(address, '/api/auth/login', { handle, pwd: b64('wrong-password') });
        }
        // Written to the table, and checkpointed from the WAL into the database file, before the deletion.
        await sleep(1_500);
        const other = new Database(join(dir, 'gatehouse.sqlite'));
        other.pragma('wal_checkpoint(TRUNCATE)');
        other.close();
        assert.ok(readFileSync(join(dir, 'gatehouse.sqlite')).toString('latin1').includes(erasedLogin));
        assert.equal((await post(E, '/api/auth/delete', { pwd }, { Authentication: token })).status, 200);
      } finally {
        await own.close();
      }
      const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)).toString('latin1'));
      assert.ok(!existsSync(join(dir, 'gatehouse.sqlite-wal')), 'the WAL was checkpointed and removed');
      const all = files.join('\n');
      assert.ok(all.includes(keptLogin) && all.includes(K), 'what was not erased is there to be found');
      assert.ok(!all.includes(erasedLogin), 'the erased login is still in the files');
      assert.ok(!all.includes(E), 'the erased address is still in the files');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deletes events older than AUDIT_RETENTION in the background, by the injected clock', TEST_TIMEOUT, async () => {
    const { login, token } = await api.account();
    const id = await accountIdOf(login);
    const old = await insertEvents(db(), id, [clock.now() - 3 * HOUR, clock.now() - 2 * HOUR - 60_000]);
    const current = await eventually(
      () => rowsOf(db(), id),
      (rows) => rows.filter((row) => !old.includes(row.id)).length >= 2 && !rows.some((row) => old.includes(row.id)),
    );
    assert.ok(!current.some((row) => old.includes(row.id)), 'older than the retention: deleted');
    assert.deepEqual(current.map((row) => row.event).sort(), ['account.registered', 'sign-in.succeeded']);
    clock.advance(2 * HOUR + 60_000);
    const after = await eventually(
      () => rowsOf(db(), id),
      (rows) => rows.length === 0,
    );
    assert.deepEqual(after, []);
    assert.equal((await activity(token)).body.events.length, 0);
  });
});
