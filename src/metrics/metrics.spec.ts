import 'reflect-metadata';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClockModule } from '../clock/clock.module';
import { EventsModule } from '../events/events.module';
import type { SecurityEventInput } from '../events/security-event';
import { SecurityEvents } from '../events/security-events';
import { Metrics } from './metrics';
import { MetricsEventsListener } from './metrics-events.listener';

/** The value of one series in the text format, 0 when absent. */
async function value(metrics: Metrics, series: string): Promise<number> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Security events recorded through the real SecurityEvents and event emitter, counted by the real listener. */
async function withListener(work: (events: SecurityEvents, metrics: Metrics) => Promise<void>): Promise<void> {
  const metrics = new Metrics();
  @Module({
    imports: [ClockModule.forRoot(), EventsModule.forRoot({ sink: () => undefined })],
    providers: [{ provide: Metrics, useValue: metrics }, MetricsEventsListener],
  })
  class ListenerModule {}
  const context = await NestFactory.createApplicationContext(ListenerModule, { logger: false });
  await context.init();
  try {
    await work(context.get(SecurityEvents), metrics);
  } finally {
    await context.close();
  }
}

const base = { accountId: 7, login: 'Alice', address: '127.0.0.1' };
const record = (events: SecurityEvents, input: Omit<SecurityEventInput, 'accountId' | 'login'>) =>
  events.record({ ...base, ...input } as SecurityEventInput);

describe('MetricsEventsListener', () => {
  it('counts sign-ins by outcome, registrations and revocations by cause from the security events', async () => {
    await withListener(async (events, metrics) => {
      record(events, { event: 'sign-in.succeeded' });
      record(events, { event: 'sign-in.succeeded' });
      record(events, { event: 'sign-in.failed' });
      record(events, { event: 'sign-in.locked-out' });
      record(events, { event: 'account.registered' });
      record(events, { event: 'token.revoked', cause: 'invalidate' });
      record(events, { event: 'token.revoked', cause: 'owner', count: 3 });
      record(events, { event: 'account.locked' });
      // Listeners run after the recording call has returned (setImmediate, then an async handler).
      for (let i = 0; i < 5; i++) await tick();
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="ok"}'), 2);
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="failed"}'), 1);
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="locked"}'), 1);
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="limited"}'), 0);
      assert.equal(await value(metrics, 'gatehouse_registrations_total'), 1);
      assert.equal(await value(metrics, 'gatehouse_tokens_revoked_total{cause="invalidate"}'), 1);
      assert.equal(await value(metrics, 'gatehouse_tokens_revoked_total{cause="owner"}'), 3);
    });
  });

  it('counts successful sign-ins by method, an unknown one as other', async () => {
    await withListener(async (events, metrics) => {
      for (const method of ['password', 'password+totp', 'password+totp', 'password+backup-code', 'by-magic'])
        record(events, { event: 'sign-in.succeeded', method });
      record(events, { event: 'sign-in.succeeded' });
      await tick();
      await tick();
      const series = (method: string) => value(metrics, `gatehouse_sign_ins_by_method_total{method="${method}"}`);
      assert.deepEqual(
        await Promise.all(['password', 'password+totp', 'password+backup-code', 'passkey', 'other'].map(series)),
        [2, 2, 1, 0, 1],
      );
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="ok"}'), 6);
    });
  });

  it('puts no login and no address in any label', async () => {
    await withListener(async (events, metrics) => {
      record(events, { event: 'sign-in.failed' });
      record(events, { event: 'token.revoked', cause: 'session' });
      for (let i = 0; i < 5; i++) await tick();
      const text = await metrics.registry.metrics();
      assert.doesNotMatch(text, /Alice|127\.0\.0\.1/);
      assert.equal(await value(metrics, 'gatehouse_sign_ins_total{outcome="failed"}'), 1);
    });
  });
});

describe('Metrics', () => {
  it('keeps each registry apart, so that two applications in one process do not count into each other', async () => {
    const one = new Metrics();
    const two = new Metrics();
    one.tokenCheck('cache');
    one.tokenCheck('cache');
    two.tokenCheck('refused');
    assert.equal(await value(one, 'gatehouse_token_checks_total{outcome="cache"}'), 2);
    assert.equal(await value(two, 'gatehouse_token_checks_total{outcome="cache"}'), 0);
    assert.equal(await value(two, 'gatehouse_token_checks_total{outcome="refused"}'), 1);
  });

  it('reads the gauges when scraped, and exports gatehouse_redis_up only with REDIS_URL', async () => {
    let sockets = 3;
    const watched = new Metrics();
    watched.watch({
      openSockets: () => sockets,
      hashQueueDepth: () => 4,
      hashWaitMs: () => ({ p50: 10, p90: 20, p99: 250, max: 500 }),
      databaseUp: () => true,
      redisUp: () => false,
    });
    assert.equal(await value(watched, 'gatehouse_open_sockets'), 3);
    sockets = 5;
    assert.equal(await value(watched, 'gatehouse_open_sockets'), 5);
    assert.equal(await value(watched, 'gatehouse_password_hash_queue_depth'), 4);
    assert.equal(await value(watched, 'gatehouse_password_hash_wait_seconds{quantile="0.99"}'), 0.25);
    assert.equal(await value(watched, 'gatehouse_database_up'), 1);
    assert.match(await watched.registry.metrics(), /^gatehouse_redis_up 0$/m);
    const off = new Metrics();
    off.watch({
      openSockets: () => 0,
      hashQueueDepth: () => 0,
      hashWaitMs: () => null,
      databaseUp: () => false,
      redisUp: () => null,
    });
    assert.doesNotMatch(await off.registry.metrics(), /gatehouse_redis_up/);
    assert.equal(await value(off, 'gatehouse_database_up'), 0);
  });

  it('keeps how long each live-socket sweep held the event loop, in buckets from 1 ms to 200 ms', async () => {
    const metrics = new Metrics();
    metrics.socketSweep(0.0004);
    metrics.socketSweep(0.03);
    metrics.socketSweep(0.3);
    const bucket = (le: string) => value(metrics, `gatehouse_socket_sweep_seconds_bucket{le="${le}"}`);
    assert.equal(await bucket('0.001'), 1);
    assert.equal(await bucket('0.025'), 1);
    assert.equal(await bucket('0.05'), 2);
    assert.equal(await bucket('0.2'), 2);
    assert.equal(await bucket('+Inf'), 3);
    assert.equal(await value(metrics, 'gatehouse_socket_sweep_seconds_count'), 3);
    assert.ok(Math.abs((await value(metrics, 'gatehouse_socket_sweep_seconds_sum')) - 0.3304) < 1e-9);
  });
});
