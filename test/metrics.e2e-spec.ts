import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MetricsServer } from '../src/metrics/metrics-server';
import { appPerSuite, type RunningApp } from './support/app';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, request } from './support/http';
import { openSocket as connect } from './support/sockets';

const METRICS_ENV = { HOST: '127.0.0.1', METRICS_PORT: '0' };

/** The metrics listener's text, as Prometheus would scrape it. */
async function scrape(app: RunningApp): Promise<string> {
  const reply = await request(`http://127.0.0.1:${app.app.get(MetricsServer).port}`, 'GET', '/metrics');
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return reply.text;
}

/** The value of one series (name and labels exactly as exported), 0 when it is absent. */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** How much each series moved while `work` ran. */
async function moved(app: RunningApp, series: string[], work: () => Promise<void>): Promise<number[]> {
  const before = await scrape(app);
  await work();
  // Security-event listeners run after the answer; the socket gauge after the disconnect.
  await sleep(100);
  const after = await scrape(app);
  return series.map((s) => valueOf(after, s) - valueOf(before, s));
}

const CHECKS = (outcome: string) => `gatehouse_token_checks_total{outcome="${outcome}"}`;
const REQUESTS = (method: string, route: string, status: number) =>
  `gatehouse_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`;
const SIGN_INS = (outcome: string) => `gatehouse_sign_ins_total{outcome="${outcome}"}`;
const SWEEPS = 'gatehouse_socket_sweep_seconds_count';

eachEngine(__filename, (db) => {
  describe('the metrics listener (METRICS_PORT)', () => {
    const running = appPerSuite(db, METRICS_ENV);
    const api = client(() => running().url);

    it('serves GET /metrics there and nothing else; never /metrics on PORT', async () => {
      const base = `http://127.0.0.1:${running().app.get(MetricsServer).port}`;
      assert.notEqual(running().app.get(MetricsServer).port, running().port);
      assert.equal((await request(base, 'GET', '/')).status, 404);
      assert.equal((await request(base, 'GET', '/health')).status, 404);
      assert.equal((await request(base, 'POST', '/metrics', { raw: '' })).status, 405);
      assert.equal((await api.get('/metrics')).status, 404);
      assert.match(await scrape(running()), /^# TYPE gatehouse_token_checks_total counter$/m);
    });

    it('counts token checks by outcome: refused, then database, then cache', async () => {
      const { token } = await api.account();
      const [refused, database, cache] = await moved(
        running(),
        [CHECKS('refused'), CHECKS('database'), CHECKS('cache')],
        async () => {
          assert.equal((await api.get('/api/auth/me', { Authentication: 'x'.repeat(43) })).status, 401);
          assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
          assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 200);
        },
      );
      assert.deepEqual({ refused, database, cache }, { refused: 1, database: 1, cache: 1 });
    });

    it('counts HTTP requests by route pattern and status, never by the URL as sent', async () => {
      const { token, login } = await api.account();
      const probe = `nosuchpath${Date.now()}`;
      const [ok, unauthorized, unmatched] = await moved(
        running(),
        [
          REQUESTS('GET', '/api/auth/me', 200),
          REQUESTS('GET', '/api/auth/me', 401),
          REQUESTS('GET', '(unmatched)', 404),
        ],
        async () => {
          assert.equal((await api.get(`/api/auth/me?x=${probe}`, { Authentication: token })).status, 200);
          assert.equal((await api.get('/api/auth/me')).status, 401);
          assert.equal((await api.get(`/${probe}/${token}`)).status, 404);
        },
      );
      assert.deepEqual({ ok, unauthorized, unmatched }, { ok: 1, unauthorized: 1, unmatched: 1 });
      const text = await scrape(running());
      for (const secret of [probe, token, login, '127.0.0.1'])
        assert.ok(!text.includes(secret), `the metrics hold ${secret}`);
    });

    it('shows open sockets as they open and close', async () => {
      const { token } = await api.account();
      let socket: Awaited<ReturnType<typeof connect>> | undefined;
      const [opened] = await moved(running(), ['gatehouse_open_sockets'], async () => {
        socket = await connect(running().url, token);
      });
      assert.equal(opened, 1);
      const [closed] = await moved(running(), ['gatehouse_open_sockets'], async () => {
        socket?.close();
      });
      assert.equal(closed, -1);
    });

    it('shows the hashing queue (depth, wait), the database up, and no Redis gauge without REDIS_URL', async () => {
      await api.account();
      const text = await scrape(running());
      assert.equal(valueOf(text, 'gatehouse_password_hash_queue_depth'), 0);
      assert.ok(valueOf(text, 'gatehouse_password_hash_wait_seconds{quantile="1"}') >= 0);
      assert.match(text, /^gatehouse_password_hash_wait_seconds\{quantile="0\.99"\} \d/m);
      assert.equal(valueOf(text, 'gatehouse_database_up'), 1);
      assert.doesNotMatch(text, /gatehouse_redis_up/);
    });

    it('agrees with the security log on sign-ins and registrations', async () => {
      const seen = running().events.length;
      const series = [SIGN_INS('ok'), SIGN_INS('failed'), 'gatehouse_registrations_total'];
      const counts = await moved(running(), series, async () => {
        const { login } = await api.account();
        assert.equal((await api.post('/auth', { login, password: 'wrong-password' })).status, 401);
        assert.equal(
          (await api.post('/api/auth/register', { handle: `${login}b`, pwd: b64('secret-password') })).status,
          200,
        );
      });
      const logged = running().events.slice(seen);
      const count = (name: string) => logged.filter((e) => e.event === name).length;
      assert.deepEqual(counts, [count('sign-in.succeeded'), count('sign-in.failed'), count('account.registered')]);
    });
  });

  describe('the per-address budget in the metrics', () => {
    const running = appPerSuite(db, { ...METRICS_ENV, RATE_LIMIT_PER_MINUTE: '2' });

    it('counts a sign-in refused by RATE_LIMIT_PER_MINUTE as limited', async () => {
      const [limited] = await moved(running(), [SIGN_INS('limited')], async () => {
        const statuses: number[] = [];
        for (let i = 0; i < 3; i++)
          statuses.push(
            (await postFrom('127.0.0.7', running().url, '/auth', { login: 'nobody', password: 'nothing-here' })).status,
          );
        assert.deepEqual(statuses, [401, 401, 429]);
      });
      assert.equal(limited, 1);
    });
  });

  describe('the live-socket sweep in the metrics', () => {
    // A sweep every 100 ms.
    const running = appPerSuite(db, { ...METRICS_ENV, TOKEN_SWEEP_INTERVAL: '0.2s' });
    const api = client(() => running().url);

    it('times the sweeps that find sockets open, and only those', async () => {
      const [idle] = await moved(running(), [SWEEPS], () => sleep(500));
      assert.equal(idle, 0, 'a sweep without sockets was counted');
      const { token } = await api.account();
      const socket = await connect(running().url, token);
      try {
        const [swept, seconds] = await moved(running(), [SWEEPS, 'gatehouse_socket_sweep_seconds_sum'], () =>
          sleep(500),
        );
        assert.ok(swept >= 2, `${swept} sweeps counted in 600 ms with a socket open`);
        assert.ok(seconds > 0 && seconds / swept < 0.05, `${seconds} s over ${swept} sweeps of one socket`);
        const text = await scrape(running());
        assert.equal(valueOf(text, 'gatehouse_socket_sweep_seconds_bucket{le="+Inf"}'), valueOf(text, SWEEPS));
      } finally {
        socket.close();
      }
    });
  });
});
