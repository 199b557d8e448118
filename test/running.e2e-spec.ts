import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { appPerSuite, startApp } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, request, uniqueLogin } from './support/http';
import { freePort, MAIN_JS } from './support/process';

const TEST_TIMEOUT = { timeout: 90_000 };
const ORIGIN = 'https://app.example.com';

interface Service {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with how the process ended, or null when it has not ended within `ms`. */
  exited(ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | null>;
  /** Kills the process if it is still running. */
  stop(): void;
}

/**
 * Starts the service as an operator would: its own process, configured only by the given
 * variables (nothing inherited but PATH), in a working directory of the test's choosing.
 */
function spawnService(env: Record<string, string>, cwd: string): Service {
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited: (ms) => Promise.race([ended, sleep(ms).then(() => null)]),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Runs `body` in a fresh temporary directory without a .env, removed afterwards. */
async function inTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-run-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('a database that cannot be reached at start-up', () => {
  it('serves 503, never 401 or 500, while MySQL is out of reach', TEST_TIMEOUT, async () => {
    // Port 1 on the loopback: nothing listens there, so every connection attempt is refused.
    const app = await startApp({ url: 'mysql://root@127.0.0.1:1/gatehouse' }, {}, [], { waitForDatabase: false });
    try {
      const api = client(() => app.url);
      const health = await api.get('/health');
      assert.equal(health.status, 503);
      assert.deepEqual(health.body, { status: 'error', database: 'down', redis: 'off' });
      const token = 'A'.repeat(43);
      const replies = [
        await api.get('/api/auth/me', { Authentication: token }),
        await api.post('/api/auth/invalidate', { token }, { Authentication: token }),
        await api.post('/auth', { login: 'alice', password: 'secret12' }),
        await api.post('/register', { login: 'alice', password: 'secret12' }),
        await api.post('/api/auth/login', { handle: 'alice', pwd: b64('secret12') }),
        await api.post('/api/auth/register', { handle: 'alice', pwd: b64('secret12') }),
      ];
      assert.deepEqual(
        replies.map((r) => r.status),
        replies.map(() => 503),
        replies.map((r) => r.text).join('\n'),
      );
      // Nothing to look up: still a plain 401.
      assert.equal((await api.get('/api/auth/me')).status, 401);
    } finally {
      await app.close();
    }
  });
});

describe('refusing a bad configuration', () => {
  const cases: { env: Record<string, string>; variable: string; dotEnv?: string }[] = [
    { env: { TOKEN_TTL: 'abc' }, variable: 'TOKEN_TTL' },
    { env: { BCRYPT_COST: '99' }, variable: 'BCRYPT_COST' },
    { env: { DATABASE_URL: 'postgres://gate:hunter2@db.example.com' }, variable: 'DATABASE_URL' },
    { env: { PORT: '70000' }, variable: 'PORT' },
    { env: { CORS_ORIGINS: 'app.example.com' }, variable: 'CORS_ORIGINS' },
    { env: { REDIS_URL: 'http://gate:hunter2@cache.example.com:6379' }, variable: 'REDIS_URL' },
    { env: {}, dotEnv: 'TOKEN_SWEEP_INTERVAL=soon\n', variable: 'TOKEN_SWEEP_INTERVAL' },
  ];

  for (const { env, variable, dotEnv } of cases) {
    const label = dotEnv
      ? `${dotEnv.trim()} in .env`
      : Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
    it(`exits 1 with one line naming the variable for ${label}`, TEST_TIMEOUT, async () => {
      await inTempDir(async (dir) => {
        if (dotEnv) writeFileSync(join(dir, '.env'), dotEnv);
        const started = performance.now();
        const service = spawnService({ DATABASE_URL: 'sqlite:data/gatehouse.sqlite', ...env }, dir);
        try {
          const end = await service.exited(20_000);
          const ms = performance.now() - started;
          const { stdout, stderr } = service.output();
          assert.ok(end, `still running after 20 s; output: ${stdout}${stderr}`);
          assert.deepEqual(end, { code: 1, signal: null }, stdout + stderr);
          assert.ok(ms < 15_000, `took ${Math.round(ms)} ms`);
          const lines = `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
          assert.equal(lines.length, 1, `expected one line, got: ${JSON.stringify(stdout + stderr)}`);
          assert.ok(lines[0].includes(variable), lines[0]);
          assert.doesNotMatch(stdout + stderr, /^\s+at /m, 'no stack trace');
          assert.doesNotMatch(stdout + stderr, /hunter2/);
          assert.equal(existsSync(join(dir, 'data')), false, 'nothing was created before the refusal');
        } finally {
          service.stop();
        }
      });
    });
  }
});

eachEngine(__filename, (db) => {
  it('starts from the compiled entry point, answers /health, and stops on SIGTERM', TEST_TIMEOUT, async () => {
    await inTempDir(async (dir) => {
      const port = await freePort();
      // On SQLite a relative path in a fresh directory: the service creates the folder.
      const databaseUrl = db().engine === 'sqlite' ? 'sqlite:data/nested/gatehouse.sqlite' : db().url;
      const service = spawnService({ PORT: String(port), DATABASE_URL: databaseUrl, BCRYPT_COST: '4' }, dir);
      try {
        const base = `http://127.0.0.1:${port}`;
        let health: Awaited<ReturnType<typeof request>> | undefined;
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline && service.child.exitCode === null) {
          health = await request(base, 'GET', '/health').catch(() => undefined);
          if (health?.status === 200) break;
          await sleep(100);
        }
        const { stdout, stderr } = service.output();
        assert.equal(health?.status, 200, `no healthy answer; output:\n${stdout}${stderr}`);
        assert.deepEqual(health?.body, { status: 'ok', database: 'up', redis: 'off' });
        if (db().engine === 'sqlite') assert.ok(existsSync(join(dir, 'data', 'nested', 'gatehouse.sqlite')));

        const api = client(() => base);
        const { token } = await api.account(uniqueLogin('Spawned'));
        assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);

        assert.ok(service.child.kill('SIGTERM'));
        const end = await service.exited(15_000);
        assert.ok(end, 'still running 15 s after SIGTERM');
        assert.ok(end.code === 0 || end.signal === 'SIGTERM', `ended with ${JSON.stringify(end)}`);
        assert.doesNotMatch(service.output().stdout + service.output().stderr, /^\s+at /m, 'no stack trace');
      } finally {
        service.stop();
      }
    });
  });

  describe('/health and an unreachable database', () => {
    it('answers 200 while the database answers, and 503 (never 401) while it does not', TEST_TIMEOUT, async () => {
      const running = await startApp(db());
      const dataSource = running.app.get(DataSource);
      try {
        const api = client(() => running.url);
        const health = await api.get('/health');
        assert.equal(health.status, 200);
        assert.deepEqual(health.body, { status: 'ok', database: 'up', redis: 'off' });

        const { login, password, token: checked } = await api.account(uniqueLogin('Outage'));
        assert.equal((await api.get('/api/auth/me', { Authentication: checked })).status, 200);
        // A token never checked before, so no cached answer can stand in for the database.
        const unchecked = (await api.post('/auth', { login, password })).body.token as string;
        // Past the token cache's age (under a second), a checked token needs the database again.
        await sleep(1200);

        await dataSource.destroy();

        const started = Date.now();
        const down = await api.get('/health');
        assert.equal(down.status, 503);
        assert.deepEqual(down.body, { status: 'error', database: 'down', redis: 'off' });
        for (const token of [unchecked, checked]) {
          const forms: Record<string, string>[] = [
            { Authentication: token },
            { Authentication: `Bearer ${token}` },
            { Authorization: `Bearer ${token}` },
          ];
          for (const headers of forms) {
            const me = await api.get('/api/auth/me', headers);
            assert.equal(me.status, 503, JSON.stringify(me.body));
            assert.deepEqual([me.body.status, me.body.error], ['error', 'Service Unavailable']);
          }
          const invalidate = await api.post('/api/auth/invalidate', { token }, { Authentication: token });
          assert.equal(invalidate.status, 503);
        }
        const signIn = await api.post('/auth', { login, password });
        assert.equal(signIn.status, 503);
        assert.equal(signIn.body.error, 'Service Unavailable');
        const birdSignIn = await api.post('/api/auth/login', { handle: login, pwd: b64(password) });
        assert.equal(birdSignIn.status, 503);
        assert.equal(birdSignIn.body.status, 'error');
        assert.ok(Date.now() - started < 15_000, 'answers came fast, not after hanging');
        for (const reply of [down, signIn, birdSignIn])
          assert.doesNotMatch(reply.text, /\bat \S+:\d+|DataSource|TypeORM/i);

        // The database comes back: the same process serves again.
        await dataSource.initialize();
        assert.equal((await api.get('/health')).status, 200);
        assert.equal((await api.get('/api/auth/me', { Authentication: unchecked })).status, 200);
        assert.equal((await api.post('/auth', { login, password })).status, 200);
      } finally {
        if (!dataSource.isInitialized) await dataSource.initialize().catch(() => undefined);
        await running.close();
      }
    });
  });

  describe('response hygiene', () => {
    const running = appPerSuite(db, { CORS_ORIGINS: ORIGIN });

    it('sends no X-Powered-By header on any response', TEST_TIMEOUT, async () => {
      const api = client(() => running().url);
      const { login, password, token } = await api.account(uniqueLogin('Headers'));
      const replies = [
        await api.get('/health'),
        await api.get('/nowhere'),
        await api.get('/api/nowhere'),
        await api.post('/register', { login, password }),
        await api.post('/register', { login: 5 }),
        await api.post('/auth', { login, password }),
        await api.post('/auth', { login, password: 'wrong-password' }),
        await api.post('/api/auth/login', { handle: login, pwd: b64(password) }),
        await api.get('/api/auth/me', { Authentication: token }),
        await api.get('/api/auth/me'),
        await api.raw('POST', '/auth', 'login=x', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        await api.raw('POST', '/auth', JSON.stringify({ login, password: 'x'.repeat(70_000) }), {
          'Content-Type': 'application/json',
        }),
        await request(running().url, 'OPTIONS', '/api/auth/login', {
          headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' },
        }),
      ];
      assert.deepEqual(
        replies.map((r) => r.status),
        [200, 404, 404, 409, 400, 200, 401, 200, 200, 401, replies[10].status, 413, 204],
      );
      assert.ok([400, 415].includes(replies[10].status));
      for (const reply of replies)
        assert.equal(reply.headers.get('x-powered-by'), null, `${reply.status} ${reply.text}`);
    });

    it('answers an unknown path with 404 in the dialect of the path, without a stack trace', TEST_TIMEOUT, async () => {
      const api = client(() => running().url);
      const classic = [
        await api.get('/nowhere'),
        await api.post('/nowhere', {}),
        await api.get('/register'),
        await api.get('/auth/extra'),
      ];
      for (const reply of classic) {
        assert.equal(reply.status, 404);
        assert.deepEqual(
          Object.keys(reply.body).filter((k) => k !== 'message'),
          ['error'],
        );
        assert.equal(reply.body.error, 'Not Found');
      }
      const bird = [
        await api.get('/api/nowhere'),
        await api.post('/api/auth/nowhere', {}),
        await api.get('/api/auth/login'),
        await api.get('/health/extra'),
      ];
      for (const reply of bird) {
        assert.equal(reply.status, 404);
        assert.deepEqual(
          Object.keys(reply.body)
            .filter((k) => k !== 'message')
            .sort(),
          ['error', 'status'],
        );
        assert.deepEqual([reply.body.status, reply.body.error], ['error', 'Not Found']);
      }
      for (const reply of [...classic, ...bird]) {
        assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
        assert.doesNotMatch(reply.text, /\bat \S+:\d+|Cannot (GET|POST)|node_modules|<html|<pre/i, reply.text);
      }
    });
  });
});
