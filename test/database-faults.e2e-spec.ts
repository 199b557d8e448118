import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it, type TestContext } from 'node:test';
import { io } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { startApp, type RunningApp } from './support/app';
import { eachEngine, type TestDatabase } from './support/engines';
import { b64, client, type Reply, uniqueLogin } from './support/http';
import { TcpProxy } from './support/tcp-proxy';

/**
 * The database going away under a running service, and a service starting before its
 * database. A TCP proxy (test/support/tcp-proxy.ts) sits between the app and the shared MariaDB
 * or PostgreSQL server, and is cut (connections reset, new ones closed: a stopped or unreachable
 * server) or stalled (connections kept open, no byte forwarded: a paused server). The servers
 * themselves are never stopped. SQLite is a file inside the process and cannot vanish in the
 * same way.
 */

/**
 * The longest a request may take to be refused. A stalled server is only noticed through the
 * driver's timeouts (src/database/data-source-options.ts): up to 3 s waiting for a pooled
 * connection, then up to 5 s for the query; the rest is slack for a loaded machine.
 */
const ANSWER_WITHIN_MS = 10_000;
/** How soon the service must be healthy again, without a restart, once the database is back. */
const RECOVER_WITHIN_MS = 15_000;
const BURST = 50;
const TEST_TIMEOUT_MS = 120_000;

/** `health`: the body of CONTRACT section 10, not an error shape. */
type Dialect = 'classic' | 'birdhouse' | 'health';

interface Outcome {
  label: string;
  dialect: Dialect;
  reply: Reply;
  ms: number;
}

async function timed(label: string, dialect: Dialect, send: () => Promise<Reply>): Promise<Outcome> {
  const started = performance.now();
  let reply: Reply;
  try {
    reply = await send();
  } catch (error) {
    // No answer at all (the client gives up after 15 s): reported as status 0, never a pass.
    reply = { status: 0, headers: new Headers(), body: undefined, text: `no answer: ${(error as Error).message}` };
  }
  return { label, dialect, reply, ms: performance.now() - started };
}

/** 503 in the dialect's error shape, in time: never 401 (a client would drop its token), never 500. */
function assertUnavailable({ label, dialect, reply, ms }: Outcome): void {
  const context = `${label}: ${reply.status} ${reply.text} after ${Math.round(ms)} ms`;
  assert.equal(reply.status, 503, context);
  assert.ok(ms < ANSWER_WITHIN_MS, `${context}: slower than ${ANSWER_WITHIN_MS} ms`);
  const body = reply.body as Record<string, unknown>;
  if (dialect === 'health') {
    assert.deepEqual(body, { status: 'error', database: 'down', redis: 'off' }, context);
    return;
  }
  if (dialect === 'birdhouse') {
    assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'status'], context);
    assert.equal(body.status, 'error', context);
  } else {
    assert.deepEqual(Object.keys(body).sort(), ['error', 'message'], context);
  }
  assert.equal(body.error, 'Service Unavailable', context);
  assert.equal(typeof body.message, 'string', context);
  const internals = /\bat .*\.js:\d+|QueryFailedError|ECONN|PROTOCOL_|mysql|postgres|pg-pool|terminated|SQLSTATE/i;
  assert.doesNotMatch(reply.text, internals, `${context}: internals leaked`);
}

/** How a socket.io handshake presenting `token` ends, and how long it took. */
function handshake(base: string, token: string): Promise<{ outcome: string; ms: number }> {
  const started = performance.now();
  const socket = io(base, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 15_000,
  });
  return new Promise((resolve) => {
    const done = (outcome: string) => {
      socket.close();
      resolve({ outcome, ms: performance.now() - started });
    };
    socket.once('connect', () => done('connected'));
    socket.once('connect_error', (error) => done(`connect_error: ${error.message}`));
  });
}

/** The same database, reached through the proxy. */
function through(proxy: TcpProxy, db: TestDatabase): TestDatabase {
  const url = new URL(db.url);
  url.host = `127.0.0.1:${proxy.port}`;
  return { ...db, url: url.toString() };
}

function target(db: TestDatabase): { host: string; port: number } {
  const url = new URL(db.url);
  return { host: url.hostname, port: Number(url.port || (db.engine === 'postgres' ? 5432 : 3306)) };
}

eachEngine(__filename, (db) => {
  const serverOnly = (t: TestContext): boolean => {
    if (db().engine !== 'sqlite') return true;
    t.skip('SQLite is a file inside the process: it cannot become unreachable or paused');
    return false;
  };

  let proxy: TcpProxy | undefined;
  let running: RunningApp | undefined;
  const api = client(() => running!.url);
  /** An account made before any outage, and tokens the app has never checked (so never cached). */
  let owner: { login: string; password: string; tokens: string[] };
  /** Identifiers tried during outages: none may exist afterwards. */
  const triedDuringOutage: string[] = [];

  const signIn = async (login: string, password: string): Promise<string> => {
    const reply = await api.post('/auth', { login, password });
    assert.equal(reply.status, 200, `sign-in: ${reply.status} ${reply.text}`);
    return reply.body.token as string;
  };

  /** Polls /health until 200; returns how long it took, or fails after RECOVER_WITHIN_MS. */
  const awaitHealthy = async (base: () => string): Promise<number> => {
    const started = performance.now();
    let last = '';
    while (performance.now() - started < RECOVER_WITHIN_MS) {
      const reply = await client(base).get('/health');
      if (reply.status === 200) {
        assert.deepEqual(reply.body, { status: 'ok', database: 'up', redis: 'off' });
        return performance.now() - started;
      }
      last = `${reply.status} ${reply.text}`;
      await sleep(250);
    }
    assert.fail(`not healthy ${RECOVER_WITHIN_MS} ms after the database came back (last: ${last})`);
  };

  /**
   * One of every call that needs the database, each from a fresh identifier or with a valid
   * token whose last check is over a second old (older than anything the session cache keeps).
   */
  const everyCall = (round: number): (() => Promise<Outcome>)[] => {
    const fresh = () => {
      const login = uniqueLogin('outage');
      triedDuringOutage.push(login);
      return login;
    };
    const token = owner.tokens[round % owner.tokens.length];
    const other = owner.tokens[(round + 1) % owner.tokens.length];
    return [
      () => timed('POST /auth', 'classic', () => api.post('/auth', { login: owner.login, password: owner.password })),
      () =>
        timed('POST /register', 'classic', () =>
          api.post('/register', { login: fresh(), password: 'secret-password' }),
        ),
      () =>
        timed('POST /api/auth/login', 'birdhouse', () =>
          api.post('/api/auth/login', { handle: owner.login, pwd: b64(owner.password) }),
        ),
      () =>
        timed('POST /api/auth/register', 'birdhouse', () =>
          api.post('/api/auth/register', { handle: fresh(), pwd: b64('secret-password') }),
        ),
      () => timed('GET /api/auth/me', 'birdhouse', () => api.get('/api/auth/me', { Authentication: token })),
      () =>
        timed('POST /api/auth/invalidate', 'birdhouse', () =>
          api.post('/api/auth/invalidate', { token: other }, { Authentication: `Bearer ${token}` }),
        ),
      () => timed('GET /health', 'health', () => api.get('/health')),
    ];
  };

  /** Each call once, one after the other, then a burst of BURST at once. */
  const assertEveryCallRefused = async (): Promise<void> => {
    for (const call of everyCall(0)) assertUnavailable(await call());
    // The socket.io handshake checks the same token the same way: unavailable, not unauthorized.
    const socket = await handshake(running!.url, owner.tokens[2]);
    assert.equal(socket.outcome, 'connect_error: Service Unavailable');
    assert.ok(socket.ms < ANSWER_WITHIN_MS, `handshake refused after ${Math.round(socket.ms)} ms`);
    const calls = Array.from({ length: BURST }, (_, i) => everyCall(i)[i % 7]);
    const outcomes = await Promise.all(calls.map((call) => call()));
    const wrong = outcomes
      .filter((o) => o.reply.status !== 503 || o.ms >= ANSWER_WITHIN_MS)
      .map((o) => `${o.label}: ${o.reply.status} after ${Math.round(o.ms)} ms`);
    assert.deepEqual(wrong, [], `every request of a burst of ${BURST} answers 503 within ${ANSWER_WITHIN_MS} ms`);
    for (const outcome of outcomes) assertUnavailable(outcome);
  };

  const ownerTokenCount = async (): Promise<number> => {
    const rows = (await db().sql(
      'SELECT COUNT(*) AS n FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE a.login = ?',
      [owner.login],
    )) as { n: number | string }[];
    return Number(rows[0].n);
  };

  /** Nothing a refused request tried was stored: no account from a refused sign-up, no token from a refused sign-in. */
  const assertNothingWritten = async (tokensBefore: number): Promise<void> => {
    assert.ok(triedDuringOutage.length > 0);
    const rows = (await db().sql('SELECT COUNT(*) AS n FROM accounts WHERE login IN (?)', [triedDuringOutage])) as {
      n: number | string;
    }[];
    assert.equal(Number(rows[0].n), 0, 'no account from a registration answered 503');
    assert.equal(await ownerTokenCount(), tokensBefore, 'no token from a sign-in answered 503, none revoked');
  };

  /** After an outage: healthy again without a restart, old tokens still good, sign-in and sign-up work. */
  const assertRecovered = async (tokensBefore: number): Promise<void> => {
    await awaitHealthy(() => running!.url);
    await assertNothingWritten(tokensBefore);
    // Tokens issued before the outage survived it: nothing was revoked by a failed check.
    for (const token of owner.tokens) {
      const me = await api.get('/api/auth/me', { Authentication: token });
      assert.equal(me.status, 200, `me after recovery: ${me.status} ${me.text}`);
      assert.equal(me.body.handle, owner.login);
    }
    await signIn(owner.login, owner.password);
    const handle = uniqueLogin('after');
    const reg = await api.post('/api/auth/register', { handle, pwd: b64('secret-password') });
    assert.equal(reg.status, 200, `register after recovery: ${reg.status} ${reg.text}`);
  };

  before(async () => {
    if (db().engine === 'sqlite') return;
    const { host, port } = target(db());
    proxy = await TcpProxy.start(host, port);
    running = await startApp(through(proxy, db()));
    const login = uniqueLogin('Owner');
    const password = 'owner-password';
    assert.equal((await api.post('/register', { login, password })).status, 200);
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(await signIn(login, password));
    owner = { login, password, tokens };
  });

  after(async () => {
    await running?.close();
    await proxy?.close();
  });

  const slow = { timeout: TEST_TIMEOUT_MS };

  const faults = [
    ['cut', 'every call answers 503 in its dialect within seconds, never 401 or 500, also in a burst'],
    ['stall', 'every call answers 503 in its dialect within seconds, none hangs, also in a burst'],
  ] as const;
  for (const [fault, claim] of faults) {
    it(`${fault}: ${claim}`, slow, async (t) => {
      if (!serverOnly(t)) return;
      await awaitHealthy(() => running!.url);
      const tokensBefore = await ownerTokenCount();
      await sleep(1100); // let the session cache forget every token checked so far
      proxy![fault]();
      try {
        await assertEveryCallRefused();
      } finally {
        proxy!.resume();
      }
      await assertRecovered(tokensBefore);
    });
  }

  it('stall, then cut while stalled requests wait: still 503, then recovery', slow, async (t) => {
    if (!serverOnly(t)) return;
    await awaitHealthy(() => running!.url);
    const tokensBefore = await ownerTokenCount();
    await sleep(1100);
    proxy!.stall();
    try {
      const outcomes = Promise.all(everyCall(1).map((call) => call()));
      await sleep(1000);
      proxy!.cut();
      for (const outcome of await outcomes) assertUnavailable(outcome);
    } finally {
      proxy!.resume();
    }
    await assertRecovered(tokensBefore);
  });

  for (const mode of ['cut', 'stalled'] as const) {
    const state = mode === 'cut' ? 'unreachable' : 'paused';
    it(`starts with the database ${state}: 503 meanwhile, then migrates and serves by itself`, slow, async (t) => {
      if (!serverOnly(t)) return;
      // A database of its own, so that the migrations really run when it comes back.
      const own = await db().sibling(`boot_${mode}`);
      const { host, port } = target(db());
      const downProxy = await TcpProxy.start(host, port, mode);
      let booted: RunningApp | undefined;
      try {
        const ownDatabase = through(downProxy, own);
        booted = await startApp(ownDatabase, {}, [], { waitForDatabase: false });
        const boot = client(() => booted!.url);
        const login = uniqueLogin('Early');
        // Down for several seconds, so the connector is well into its back-off.
        const downUntil = performance.now() + 6000;
        while (performance.now() < downUntil) {
          const credentials = { login, password: 'secret-password' };
          const birdhouse = { handle: login, pwd: b64('secret-password') };
          assertUnavailable(await timed('GET /health', 'health', () => boot.get('/health')));
          assertUnavailable(await timed('POST /register', 'classic', () => boot.post('/register', credentials)));
          assertUnavailable(await timed('POST /auth', 'classic', () => boot.post('/auth', credentials)));
          assertUnavailable(
            await timed('POST /api/auth/login', 'birdhouse', () => boot.post('/api/auth/login', birdhouse)),
          );
          // A token this database has never seen: while it cannot be asked, that is 503 all the same.
          const token = { Authentication: owner.tokens[0] };
          assertUnavailable(await timed('GET /api/auth/me', 'birdhouse', () => boot.get('/api/auth/me', token)));
          await sleep(500);
        }
        if (mode === 'cut') assert.ok(downProxy.accepted > 1, 'the service kept retrying while the database was down');

        // While it connects and migrates, keep registering: each answer is 503 or 200, nothing else
        // (a request that reaches a half-migrated schema must not turn into a 500).
        downProxy.resume();
        let healthy = false;
        const registered: string[] = [];
        const keepRegistering = async (): Promise<string[]> => {
          const unexpected: string[] = [];
          for (let i = 0; i < 500 && !healthy; i++) {
            const handle = uniqueLogin('boot');
            const reply = await boot.post('/api/auth/register', { handle, pwd: b64('secret-password') });
            if (reply.status === 200) registered.push(handle);
            else if (reply.status !== 503) unexpected.push(`${reply.status} ${reply.text}`);
            await sleep(10);
          }
          return unexpected;
        };
        const duringRecovery = Promise.all([keepRegistering(), keepRegistering(), keepRegistering()]);
        try {
          await awaitHealthy(() => booted!.url);
        } finally {
          healthy = true;
        }
        assert.deepEqual((await duringRecovery).flat(), [], 'every registration during recovery answered 200 or 503');
        for (const handle of registered) {
          const reply = await boot.post('/api/auth/login', { handle, pwd: b64('secret-password') });
          assert.equal(reply.status, 200, `${handle} registered during recovery signs in`);
        }
        const tables = await own.tables();
        assert.ok(tables.includes('accounts'), `migrated: ${JSON.stringify(tables)}`);
        assert.equal((await boot.post('/register', { login, password: 'secret-password' })).status, 200);
        const auth = await boot.post('/auth', { login, password: 'secret-password' });
        assert.equal(auth.status, 200);
        const me = await boot.get('/api/auth/me', { Authentication: auth.body.token });
        assert.equal(me.status, 200);
        assert.equal(me.body.handle, login);
      } finally {
        await booted?.close();
        await downProxy.close();
        await own.drop();
      }
    });
  }

  it('an app closed while it is still connecting leaves no connection open behind it', slow, async (t) => {
    if (!serverOnly(t)) return;
    const { host, port } = target(db());
    // Stalled: the first connection attempt is accepted and then waits for the server's greeting.
    const slowProxy = await TcpProxy.start(host, port, 'stalled');
    let booted: RunningApp | undefined;
    try {
      booted = await startApp(through(slowProxy, db()), {}, [], { waitForDatabase: false });
      const deadline = performance.now() + 5000;
      while (slowProxy.accepted === 0 && performance.now() < deadline) await sleep(20);
      assert.equal(slowProxy.accepted, 1, 'the app was connecting when it was closed');
      await booted.close();
      // The greeting arrives now, after the close: the late connection must be shut, not pooled.
      slowProxy.resume();
      const settled = performance.now() + 5000;
      while (slowProxy.open > 0 && performance.now() < settled) await sleep(50);
      assert.equal(slowProxy.open, 0, 'no connection left open by a closed app');
    } finally {
      const dataSource = booted?.app.get(DataSource);
      if (dataSource?.isInitialized) await dataSource.destroy();
      await slowProxy.close();
    }
  });
});
