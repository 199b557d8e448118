import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type AppConfig, type ConfigKey, parseConfig, readEnvironment } from './config';
import { type Env, refuses } from './config.spec-helpers';

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const expected: AppConfig = {
      host: null,
      port: 3000,
      metricsPort: null,
      database: { type: 'sqlite', path: 'data/gatehouse.sqlite' },
      tokenTtlMs: 30 * 24 * 3600 * 1000,
      tokenIdleTtlMs: null,
      tokenSweepIntervalMs: 10_000,
      bcryptCost: 10,
      passwordMinLength: 6,
      passwordBlocklist: 'common',
      loginMaxFailures: 10,
      rateLimitPerMinute: 60,
      socketEventRate: 50,
      tokenFailuresPerMinute: 1200,
      trustProxy: [],
      corsOrigins: [],
      redisUrl: null,
      redisPrefix: 'gatehouse:',
      recoveryCodeTtlMs: 3600_000,
      apiDocs: true,
      accountPage: true,
    };
    assert.deepEqual(parseConfig({}), expected);
  });

  it('treats an empty or blank variable as unset', () => {
    const blank: Env = {};
    for (const key of [
      'PORT',
      'DATABASE_URL',
      'TOKEN_TTL',
      'TOKEN_SWEEP_INTERVAL',
      'BCRYPT_COST',
      'PASSWORD_MIN_LENGTH',
      'LOGIN_MAX_FAILURES',
      'RATE_LIMIT_PER_MINUTE',
      'SOCKET_EVENT_RATE',
      'TOKEN_FAILURES_PER_MINUTE',
      'TRUST_PROXY',
      'CORS_ORIGINS',
      'REDIS_URL',
      'REDIS_PREFIX',
      'TOKEN_IDLE_TTL',
      'PASSWORD_BLOCKLIST',
      'HOST',
      'METRICS_PORT',
      'RECOVERY_CODE_TTL',
      'API_DOCS',
      'ACCOUNT_PAGE',
    ] as const) {
      blank[key] = key.length % 2 === 0 ? '' : '   ';
    }
    assert.deepEqual(parseConfig(blank), parseConfig({}));
  });

  it('reads every variable', () => {
    const config = parseConfig({
      HOST: '127.0.0.1',
      PORT: '8080',
      METRICS_PORT: '9464',
      DATABASE_URL: 'mysql://gate:pw@db.internal:3307/gatehouse',
      TOKEN_TTL: '12h',
      TOKEN_SWEEP_INTERVAL: '30',
      TOKEN_IDLE_TTL: '15m',
      PASSWORD_BLOCKLIST: 'off',
      BCRYPT_COST: '12',
      PASSWORD_MIN_LENGTH: '12',
      LOGIN_MAX_FAILURES: '5',
      RATE_LIMIT_PER_MINUTE: '0',
      SOCKET_EVENT_RATE: '0',
      TOKEN_FAILURES_PER_MINUTE: '30',
      TRUST_PROXY: '10.0.0.1, 192.168.0.0/16',
      CORS_ORIGINS: 'https://app.example.com,http://localhost:5173',
      REDIS_URL: 'redis://:pw@redis.internal:6380/2',
      REDIS_PREFIX: 'gatehouse-eu:',
      RECOVERY_CODE_TTL: '15m',
      API_DOCS: 'off',
      ACCOUNT_PAGE: 'off',
    });
    assert.deepEqual(config, {
      host: '127.0.0.1',
      port: 8080,
      metricsPort: 9464,
      database: { type: 'mysql', url: 'mysql://gate:pw@db.internal:3307/gatehouse' },
      tokenTtlMs: 12 * 3600 * 1000,
      tokenIdleTtlMs: 15 * 60_000,
      tokenSweepIntervalMs: 30_000,
      bcryptCost: 12,
      passwordMinLength: 12,
      passwordBlocklist: 'off',
      loginMaxFailures: 5,
      rateLimitPerMinute: 0,
      socketEventRate: 0,
      tokenFailuresPerMinute: 30,
      trustProxy: ['10.0.0.1', '192.168.0.0/16'],
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      redisUrl: 'redis://:pw@redis.internal:6380/2',
      redisPrefix: 'gatehouse-eu:',
      recoveryCodeTtlMs: 15 * 60_000,
      apiDocs: false,
      accountPage: false,
    });
  });

  it('reads TOKEN_IDLE_TTL as off or a duration of at least two minutes', () => {
    assert.equal(parseConfig({ TOKEN_IDLE_TTL: 'off' }).tokenIdleTtlMs, null);
    assert.equal(parseConfig({ TOKEN_IDLE_TTL: '2m' }).tokenIdleTtlMs, 120_000);
    assert.equal(parseConfig({ TOKEN_IDLE_TTL: '3600' }).tokenIdleTtlMs, 3_600_000);
    for (const raw of ['119', '1m', 'on', '-5m', '2x', 'OFF']) {
      assert.throws(() => parseConfig({ TOKEN_IDLE_TTL: raw }), /TOKEN_IDLE_TTL/, raw);
    }
  });

  it('reads PASSWORD_BLOCKLIST as common or off, nothing else', () => {
    assert.equal(parseConfig({ PASSWORD_BLOCKLIST: 'off' }).passwordBlocklist, 'off');
    for (const raw of ['on', 'Common', 'none', '1']) {
      assert.throws(() => parseConfig({ PASSWORD_BLOCKLIST: raw }), /PASSWORD_BLOCKLIST must be common or off/, raw);
    }
  });

  it('reads HOST as an address or a host name, and refuses anything else', () => {
    assert.equal(parseConfig({ HOST: '::' }).host, '::');
    assert.equal(parseConfig({ HOST: 'localhost' }).host, 'localhost');
    assert.equal(parseConfig({ HOST: 'gate-1.internal' }).host, 'gate-1.internal');
    for (const bad of ['http://x', 'a b', '1.2.3.4:80', '-x', 'x_y']) refuses({ HOST: bad }, 'HOST');
    for (const bad of ['65536', '-1', 'x']) refuses({ METRICS_PORT: bad }, 'METRICS_PORT');
    refuses({ PORT: '9000', METRICS_PORT: '9000' }, 'METRICS_PORT');
  });

  it('reads RECOVERY_CODE_TTL with the syntax of TOKEN_TTL and refuses anything else', () => {
    assert.equal(parseConfig({ RECOVERY_CODE_TTL: '90' }).recoveryCodeTtlMs, 90_000);
    assert.equal(parseConfig({ RECOVERY_CODE_TTL: '2d' }).recoveryCodeTtlMs, 2 * 86_400_000);
    for (const bad of ['0', '1h30m', '-5m', 'soon', '0.5s']) {
      assert.throws(() => parseConfig({ RECOVERY_CODE_TTL: bad }), /^ConfigError: RECOVERY_CODE_TTL must be/);
    }
  });

  it('trims the values it reads', () => {
    const config = parseConfig({ PORT: ' 8080 ', BCRYPT_COST: '\t5\n', TOKEN_TTL: ' 1h ' });
    assert.equal(config.port, 8080);
    assert.equal(config.bcryptCost, 5);
    assert.equal(config.tokenTtlMs, 3600_000);
  });

  it('accepts the bounds of every number', () => {
    assert.equal(parseConfig({ PORT: '0' }).port, 0);
    assert.equal(parseConfig({ PORT: '65535' }).port, 65535);
    assert.equal(parseConfig({ BCRYPT_COST: '4' }).bcryptCost, 4);
    assert.equal(parseConfig({ BCRYPT_COST: '31' }).bcryptCost, 31);
    assert.equal(parseConfig({ PASSWORD_MIN_LENGTH: '1' }).passwordMinLength, 1);
    assert.equal(parseConfig({ PASSWORD_MIN_LENGTH: '256' }).passwordMinLength, 256);
    assert.equal(parseConfig({ LOGIN_MAX_FAILURES: '1' }).loginMaxFailures, 1);
    assert.equal(parseConfig({ RATE_LIMIT_PER_MINUTE: '0' }).rateLimitPerMinute, 0);
    assert.equal(parseConfig({ TOKEN_TTL: '1s' }).tokenTtlMs, 1000);
    assert.equal(parseConfig({ TOKEN_TTL: '1' }).tokenTtlMs, 1000);
    assert.equal(parseConfig({ TOKEN_SWEEP_INTERVAL: '0.1s' }).tokenSweepIntervalMs, 100);
  });

  it('reads TRUST_PROXY addresses, CIDR ranges and the named ranges', () => {
    assert.deepEqual(
      parseConfig({ TRUST_PROXY: '127.0.0.1, ::1, 10.0.0.0/8, fd00::/8, loopback, uniquelocal' }).trustProxy,
      ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8', 'loopback', 'uniquelocal'],
    );
  });

  it('refuses each bad value with a one-line ConfigError naming the variable', () => {
    const cases: [ConfigKey, string[]][] = [
      ['PORT', ['abc', '-1', '65536', '80.5', '1e3', '0x50', '3000 3001']],
      ['TOKEN_TTL', ['abc', '-5', '0', '0.5s', '0.999s', '10ms', '30 days', '3651d']],
      ['TOKEN_SWEEP_INTERVAL', ['abc', '0', '0.05s', '-1s', '1y']],
      ['BCRYPT_COST', ['3', '32', '99', 'ten', '10.5', '-10']],
      ['PASSWORD_MIN_LENGTH', ['0', '257', 'six', '6.0']],
      ['LOGIN_MAX_FAILURES', ['0', '-1', '1000001', 'many']],
      ['RATE_LIMIT_PER_MINUTE', ['-1', '1000001', 'off']],
      ['SOCKET_EVENT_RATE', ['-1', '100001', 'off', '2.5']],
      ['TOKEN_FAILURES_PER_MINUTE', ['-1', '1000001', 'off', '1e3']],
      [
        'CORS_ORIGINS',
        [
          'app.example.com',
          'https://app.example.com/',
          'https://app.example.com/path',
          'ftp//x',
          'https://a.example.com,nope',
        ],
      ],
      ['TRUST_PROXY', ['proxy.example.com', '10.0.0.1/33', '10.0.0/8', '::1/129', '10.0.0.1/8/8', 'everything']],
      [
        'REDIS_URL',
        [
          '127.0.0.1:6379',
          'http://127.0.0.1:6379',
          'redis://',
          'redis:///0',
          'redis://host/db',
          'redis://host/100',
          'redis://host:99999',
          'redis://host?family=6',
          'rediss://host#x',
        ],
      ],
      ['REDIS_PREFIX', ['gate house:', 'x'.repeat(65), 'gatehouse\u0000:', 'gatehouse\u00e9:']],
      ['API_DOCS', ['yes', 'true', 'ON ']],
      ['ACCOUNT_PAGE', ['no', '0']],
      [
        'DATABASE_URL',
        [
          'postgres://x',
          'sqlite:',
          'mysql://host-without-db',
          'mysql:///db',
          'data/gatehouse.sqlite',
          'http://example.com/db',
        ],
      ],
    ];
    for (const [variable, values] of cases) {
      for (const value of values) refuses({ [variable]: value }, variable);
    }
  });

  it('reads CORS_ORIGINS "*" as any origin, also among others', () => {
    assert.equal(parseConfig({ CORS_ORIGINS: '*' }).corsOrigins, '*');
    assert.equal(parseConfig({ CORS_ORIGINS: 'https://app.example.com, *' }).corsOrigins, '*');
    assert.deepEqual(
      parseConfig({ CORS_ORIGINS: ' https://a.example.com ,, https://b.example.com:8443 ' }).corsOrigins,
      ['https://a.example.com', 'https://b.example.com:8443'],
    );
  });
});

describe('readEnvironment', () => {
  it('reads the .env of the working directory, and the process environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      writeFileSync(join(dir, '.env'), 'PORT=4000\nBCRYPT_COST=5\n# a comment\nTOKEN_TTL="2h"\n');
      const env = readEnvironment(dir, { BCRYPT_COST: '6' });
      assert.equal(env.PORT, '4000');
      assert.equal(env.BCRYPT_COST, '6');
      const config = parseConfig(env);
      assert.equal(config.port, 4000);
      assert.equal(config.bcryptCost, 6);
      assert.equal(config.tokenTtlMs, 2 * 3600_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('works without a .env file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      assert.deepEqual(readEnvironment(dir, { PORT: '1' }), { PORT: '1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
