'use strict';
// HTTP traffic of the benchmark: single JSON calls, autocannon runs and the sign-in storm.
const http = require('node:http');
const autocannon = require('autocannon');
const { percentile } = require('./stats');

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Connections are reused, but one left idle is closed after a second: the service closes an idle
 * connection after 5 s (Node's keepAliveTimeout), and a request written on a connection as the
 * server closes it fails with ECONNRESET. Node's own margin (the server's Keep-Alive hint less
 * one second) was not enough on a loaded machine: the 30-minute soak saw 4 such resets, 3 of
 * them on sign-ins, the requests with the longest idle gaps between them.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 1000 });

/** One JSON request; resolves to { status, body } (body parsed when it is JSON). */
function requestJson(method, url, { body, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...headers,
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

/** A Birdhouse client for the calls the benchmark makes one at a time. */
class Api {
  constructor(baseUrl) {
    this.baseUrl = baseUrl;
  }

  async register(handle, password) {
    const res = await requestJson('POST', `${this.baseUrl}/api/auth/register`, {
      body: { handle, pwd: b64(password) },
    });
    if (res.status !== 200 || typeof res.body?.token !== 'string') {
      throw new Error(`register ${handle}: ${res.status} ${JSON.stringify(res.body)}`);
    }
    return res.body.token;
  }

  login(handle, password) {
    return requestJson('POST', `${this.baseUrl}/api/auth/login`, { body: { handle, pwd: b64(password) } });
  }

  invalidate(token) {
    return requestJson('POST', `${this.baseUrl}/api/auth/invalidate`, {
      body: { token },
      headers: { authentication: `Bearer ${token}` },
    });
  }

  async me(token) {
    return requestJson('GET', `${this.baseUrl}/api/auth/me`, { headers: { authentication: `Bearer ${token}` } });
  }

  /** The newest page of the account's security events (the audit log). */
  activity(token) {
    return requestJson('GET', `${this.baseUrl}/api/auth/activity`, { headers: { authentication: `Bearer ${token}` } });
  }
}

/**
 * One autocannon run. Returns the figures the table needs: expected responses per second (2xx,
 * or those with status `expect`, over the measured duration), latency percentiles in ms, and
 * every kind of failure (`non2xx` counts every response that is not the expected one). The run
 * lasts `seconds`, or ends sooner when the promise `until` (optional) settles.
 */
async function cannon({ url, method, body, headers = {}, connections, seconds, overallRate, expect, until }) {
  const run = autocannon({
    url,
    ...(method ? { method } : {}),
    ...(body !== undefined ? { body } : {}),
    headers,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    timeout: 10,
  });
  const stop = () => run.stop();
  until?.then(stop, stop);
  const result = await run;
  const answered = ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((n, k) => n + result[k], 0);
  const ok = expect === undefined ? result['2xx'] : (result.statusCodeStats[expect]?.count ?? 0);
  return {
    ok,
    rps: ok / result.duration,
    seconds: result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: answered - ok,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/**
 * GET `url` at an even `rate` per second for `seconds` (or until the promise `until` settles):
 * request i is sent at i ÷ rate seconds, whether or not earlier ones have answered, over at most
 * `connections` kept-alive connections. Latency runs from the moment a request is sent (a
 * request waiting for a free connection waits inside it) to the end of its response.
 *
 * autocannon's `overallRate` is no probe of latency at a rate: each connection sends its share
 * of a second back to back at the start of every second and then waits, so "200/s over 10
 * connections" is a burst of 10 concurrent streams each second; and it corrects for coordinated
 * omission with an expected interval of 1 ms (`ceil(1 / rate)`), which adds a made-up sample for
 * every millisecond of every slower response. Both inflated the p99 of a fixed-rate probe.
 * Returns the fields `cannon` returns.
 */
function pacedProbe({ url, headers = {}, rate, seconds, connections, until, timeoutMs = 10_000 }) {
  const probeAgent = new http.Agent({ keepAlive: true, maxSockets: connections, timeout: 1000 });
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = [];
  const outcome = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
  let stopped = false;
  until?.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  const one = () =>
    new Promise((resolve) => {
      const sent = performance.now();
      const req = http.request(url, { agent: probeAgent, headers, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - sent);
          if (res.statusCode >= 200 && res.statusCode < 300) outcome.ok++;
          else outcome.non2xx++;
          resolve();
        });
      });
      let timedOut = false;
      req.on('timeout', () => {
        timedOut = true;
        outcome.timeouts++;
        req.destroy(new Error('timeout'));
      });
      req.on('error', () => {
        if (!timedOut) outcome.errors++;
        resolve();
      });
      req.end();
    });
  return new Promise((resolve) => {
    const t0 = performance.now();
    const inFlight = [];
    let sent = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (sent < due && !stopped) {
        inFlight.push(one());
        sent++;
      }
      if (sent < total && !stopped) {
        setTimeout(tick, Math.max(0, t0 + (sent * 1000) / rate - performance.now()));
        return;
      }
      const elapsed = (performance.now() - t0) / 1000;
      Promise.all(inFlight).then(() => {
        probeAgent.destroy();
        // Tenths of a millisecond: at this rate most answers take well under one.
        const at = (p) => Math.round(percentile(latencies, p) * 10) / 10;
        resolve({
          ...outcome,
          rps: outcome.ok / elapsed,
          seconds: Number(elapsed.toFixed(2)),
          p50: at(50),
          p90: at(90),
          p99: at(99),
          max: at(100),
        });
      });
    };
    tick();
  });
}

/**
 * Signs in as fast as `concurrency` parallel clients can, round-robin over `accounts`, until
 * `maxCount` sign-ins have been started or `keepGoing()` turns false (it must turn false by a
 * deadline). Every token issued is handed to `onToken`. The rate counts successful sign-ins
 * between the first request and the last response.
 */
async function signInStorm(api, { accounts, concurrency, maxCount, keepGoing, onToken = () => undefined }) {
  let started = 0;
  const outcome = { ok: 0, busy: 0, failed: 0, failures: [], seconds: 0, rate: 0 };
  const t0 = performance.now();
  let lastDone = t0;
  const worker = async () => {
    while (started < maxCount && keepGoing()) {
      const account = accounts[started % accounts.length];
      started++;
      try {
        const res = await api.login(account.handle, account.password);
        if (res.status === 200 && typeof res.body?.token === 'string') {
          outcome.ok++;
          onToken(res.body.token);
        } else if (res.status === 503) {
          outcome.busy++;
        } else {
          outcome.failed++;
          if (outcome.failures.length < 5) outcome.failures.push(`${res.status} ${JSON.stringify(res.body)}`);
        }
      } catch (error) {
        outcome.failed++;
        if (outcome.failures.length < 5) outcome.failures.push(error.message);
      }
      lastDone = performance.now();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  outcome.seconds = (lastDone - t0) / 1000;
  outcome.rate = outcome.seconds > 0 ? outcome.ok / outcome.seconds : 0;
  return outcome;
}

module.exports = { Api, cannon, pacedProbe, signInStorm, requestJson, agent };
