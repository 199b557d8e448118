import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isIP } from 'node:net';
import { parseEnv } from 'node:util';
import { parseDuration } from './duration';

export type DatabaseConfig =
  | { type: 'mysql'; url: string }
  /** mariadb://: the same wire protocol, but TypeORM's MariaDB dialect reads the schema right. */
  | { type: 'mariadb'; url: string }
  | { type: 'postgres'; url: string }
  | { type: 'sqlite'; path: string };

/** Everything Gatehouse reads from its environment, parsed and checked once. */
export interface AppConfig {
  /** Address of the HTTP and metrics listeners; null: every interface. */
  host: string | null;
  port: number;
  /** Port of the Prometheus listener (on `host`); null: no metrics listener. */
  metricsPort: number | null;
  database: DatabaseConfig;
  /** Token lifetime in milliseconds. */
  tokenTtlMs: number;
  /** A token unused this long is refused (TOKEN_IDLE_TTL); null when off. */
  tokenIdleTtlMs: number | null;
  /** Period of the socket and expired-row sweeps, in milliseconds. */
  tokenSweepIntervalMs: number;
  bcryptCost: number;
  passwordMinLength: number;
  /** `common`: a new password may not be one of the 10,000 most common ones. */
  passwordBlocklist: 'common' | 'off';
  loginMaxFailures: number;
  /** 0 turns the per-address limit off. */
  rateLimitPerMinute: number;
  /** Events per second one socket may send, bursts up to twice that (SOCKET_EVENT_RATE); 0: no limit. */
  socketEventRate: number;
  /** Refused token checks per client address per minute before its token-bearing requests get 429; 0: no limit. */
  tokenFailuresPerMinute: number;
  /** Proxy addresses (or CIDR ranges) whose X-Forwarded-For is believed. */
  trustProxy: string[];
  /** `'*'` for any origin, otherwise the allowed origins; empty means same origin only. */
  corsOrigins: '*' | string[];
  /**
   * Where several instances share their abuse counters and revocations; null keeps them in this
   * process (see src/shared-store).
   */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel, so that several deployments can share one server. */
  redisPrefix: string;
  /** Lifetime of an owner-issued recovery code, in milliseconds (fixed when the code is issued). */
  recoveryCodeTtlMs: number;
  /** Serve the OpenAPI document and Swagger UI under /docs (API_DOCS). */
  apiDocs: boolean;
  /** Serve the account page under /account (ACCOUNT_PAGE). */
  accountPage: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Variables by name, as the environment (and .env) give them. */
export type Env = Readonly<Record<string, string | undefined>>;

const DEFAULTS = {
  HOST: '',
  PORT: '3000',
  METRICS_PORT: '',
  DATABASE_URL: 'sqlite:data/gatehouse.sqlite',
  TOKEN_TTL: '30d',
  TOKEN_SWEEP_INTERVAL: '10s',
  TOKEN_IDLE_TTL: 'off',
  PASSWORD_BLOCKLIST: 'common',
  BCRYPT_COST: '10',
  PASSWORD_MIN_LENGTH: '6',
  LOGIN_MAX_FAILURES: '10',
  RATE_LIMIT_PER_MINUTE: '60',
  SOCKET_EVENT_RATE: '50',
  TOKEN_FAILURES_PER_MINUTE: '1200',
  TRUST_PROXY: '',
  CORS_ORIGINS: '',
  REDIS_URL: '',
  REDIS_PREFIX: 'gatehouse:',
  RECOVERY_CODE_TTL: '1h',
  API_DOCS: 'on',
  ACCOUNT_PAGE: 'on',
} as const;

export type ConfigKey = keyof typeof DEFAULTS;

/** Gatehouse's own variables: a module's configuration namespace may not declare one of them. */
export const CONFIG_KEYS: readonly string[] = Object.keys(DEFAULTS);

/** A whole number from `min` to `max`. */
export function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

/** A number of seconds, or a number with a unit s, m, h or d; at least `minMs`. */
export function duration(name: string, raw: string, minMs: number): number {
  const ms = parseDuration(raw);
  if (ms === null || ms < minMs) {
    throw new ConfigError(
      `${name} must be a number of seconds or a number with a unit s, m, h or d (at least ${minMs / 1000}s), got "${raw}"`,
    );
  }
  return ms;
}

/** The idle timeout: `off`, or a duration of at least two minutes (it is enforced to within one). */
function idleTtl(raw: string): number | null {
  return raw === 'off' ? null : duration('TOKEN_IDLE_TTL', raw, 120_000);
}

function blocklist(raw: string): 'common' | 'off' {
  if (raw !== 'common' && raw !== 'off')
    throw new ConfigError(`PASSWORD_BLOCKLIST must be common or off, got "${raw}"`);
  return raw;
}

function database(raw: string): DatabaseConfig {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '')
      throw new ConfigError('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:data/gatehouse.sqlite');
    return { type: 'sqlite', path };
  }
  const engine = /^mysql:\/\//.test(raw)
    ? 'mysql'
    : /^mariadb:\/\//.test(raw)
      ? 'mariadb'
      : /^postgres(ql)?:\/\//.test(raw)
        ? 'postgres'
        : null;
  if (engine !== null) {
    const scheme = engine;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid ${scheme}:// URL`);
    }
    if (!url.hostname || url.pathname.length <= 1) {
      throw new ConfigError(`DATABASE_URL must name a host and a database: ${scheme}://user:pass@host:port/db`);
    }
    if (engine === 'mysql') return { type: 'mysql', url: raw };
    if (engine === 'mariadb') return { type: 'mariadb', url: raw.replace(/^mariadb:/, 'mysql:') };
    return { type: 'postgres', url: raw };
  }
  // Never echo the value: a URL may carry a password.
  throw new ConfigError('DATABASE_URL must start with mysql://, mariadb://, postgres:// or sqlite:');
}

function redisUrl(raw: string): string | null {
  if (raw === '') return null;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  // Never echo the value: a URL may carry a password.
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL naming a host, e.g. redis://127.0.0.1:6379');
  }
  if (!/^\/?(\d{1,2})?$/.test(url.pathname) || url.search !== '' || url.hash !== '') {
    throw new ConfigError('REDIS_URL may name a database number after the host (redis://host:6379/0) and nothing else');
  }
  return raw;
}

function redisPrefix(raw: string): string {
  if (!/^[\x21-\x7e]{1,64}$/.test(raw)) {
    throw new ConfigError(`REDIS_PREFIX must be 1 to 64 printable ASCII characters without spaces, got "${raw}"`);
  }
  return raw;
}

/** An IP address or a host name (resolved when listening); empty for every interface. */
function host(raw: string): string | null {
  if (raw === '') return null;
  const name = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/;
  if (isIP(raw) === 0 && !name.test(raw)) {
    throw new ConfigError(`HOST must be an IP address or a host name, e.g. 127.0.0.1 or ::, got "${raw}"`);
  }
  return raw;
}

export function onOff(name: string, raw: string): boolean {
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Addresses, CIDR ranges, or Express's names loopback / linklocal / uniquelocal. */
function trustProxy(raw: string): string[] {
  const entries = list(raw);
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(
        `TRUST_PROXY entries must be IP addresses, CIDR ranges or loopback/linklocal/uniquelocal, got "${entry}"`,
      );
    }
  }
  return entries;
}

function corsOrigins(raw: string): '*' | string[] {
  const origins = list(raw);
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS entries must be origins like https://app.example.com, got "${origin}"`);
    }
  }
  return origins;
}

/** The environment each configuration was parsed from, for the modules' namespaces (config-namespace.ts). */
const sources = new WeakMap<AppConfig, Env>();

/** The variables `config` was parsed from (none for a configuration made by hand). */
export function configSource(config: AppConfig): Env {
  return sources.get(config) ?? {};
}

/** Parses and checks the configuration; throws ConfigError with a one-line message. */
export function parseConfig(env: Env): AppConfig {
  const get = (name: ConfigKey): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? DEFAULTS[name] : value;
  };
  const port = integer('PORT', get('PORT'), 0, 65535);
  const metricsPort = get('METRICS_PORT') === '' ? null : integer('METRICS_PORT', get('METRICS_PORT'), 0, 65535);
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(
      `METRICS_PORT must differ from PORT: the metrics are never served on PORT, got ${metricsPort} for both`,
    );
  }
  const config: AppConfig = {
    host: host(get('HOST')),
    port,
    metricsPort,
    database: database(get('DATABASE_URL')),
    tokenTtlMs: duration('TOKEN_TTL', get('TOKEN_TTL'), 1000),
    tokenIdleTtlMs: idleTtl(get('TOKEN_IDLE_TTL')),
    tokenSweepIntervalMs: duration('TOKEN_SWEEP_INTERVAL', get('TOKEN_SWEEP_INTERVAL'), 100),
    // bcrypt's own bounds: 4 is the cheapest cost it accepts, 31 the dearest.
    bcryptCost: integer('BCRYPT_COST', get('BCRYPT_COST'), 4, 31),
    passwordMinLength: integer('PASSWORD_MIN_LENGTH', get('PASSWORD_MIN_LENGTH'), 1, 256),
    passwordBlocklist: blocklist(get('PASSWORD_BLOCKLIST')),
    loginMaxFailures: integer('LOGIN_MAX_FAILURES', get('LOGIN_MAX_FAILURES'), 1, 1_000_000),
    rateLimitPerMinute: integer('RATE_LIMIT_PER_MINUTE', get('RATE_LIMIT_PER_MINUTE'), 0, 1_000_000),
    socketEventRate: integer('SOCKET_EVENT_RATE', get('SOCKET_EVENT_RATE'), 0, 100_000),
    tokenFailuresPerMinute: integer('TOKEN_FAILURES_PER_MINUTE', get('TOKEN_FAILURES_PER_MINUTE'), 0, 1_000_000),
    trustProxy: trustProxy(get('TRUST_PROXY')),
    corsOrigins: corsOrigins(get('CORS_ORIGINS')),
    redisUrl: redisUrl(get('REDIS_URL')),
    redisPrefix: redisPrefix(get('REDIS_PREFIX')),
    recoveryCodeTtlMs: duration('RECOVERY_CODE_TTL', get('RECOVERY_CODE_TTL'), 1000),
    apiDocs: onOff('API_DOCS', get('API_DOCS')),
    accountPage: onOff('ACCOUNT_PAGE', get('ACCOUNT_PAGE')),
  };
  sources.set(config, env);
  return config;
}

/**
 * The process environment over the `.env` file of the working directory:
 * a variable set in the environment always wins over the file.
 */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Env {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...env };
}

export function loadConfig(): AppConfig {
  return parseConfig(readEnvironment());
}
