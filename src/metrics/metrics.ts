import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RevocationCause } from '../events/security-event';
import type { RateLimitObserver } from '../limits/rate-limit-observer';
import type { SocketSweepObserver } from '../realtime/socket-sweep-observer';
import type { TokenCheckObserver, TokenCheckOutcome } from '../tokens/token-check-observer';

export type SignInOutcome = 'ok' | 'failed' | 'locked' | 'limited';

/** The methods a successful sign-in is counted by; a module's step that names another counts as `other`. */
export const SIGN_IN_METHODS = ['password', 'password+totp', 'password+backup-code', 'passkey'] as const;

/** What the gauges read at scrape time; nothing of it is touched on a request's path. */
export interface MetricsSources {
  openSockets(): number;
  hashQueueDepth(): number;
  /** Milliseconds a hash waited for a thread, by quantile (0.5, 0.9, 0.99, 1 for the maximum). */
  hashWaitMs(): { p50: number; p90: number; p99: number; max: number } | null;
  databaseUp(): boolean;
  /** null without REDIS_URL: then the gauge is not exported. */
  redisUp(): boolean | null;
}

/** The label of a request that matched no route (404, or refused before routing such as a 413). */
const UNMATCHED = '(unmatched)';
const STARTED = Symbol('gatehouse.metrics.started');
type Timed = Response & { [STARTED]?: bigint; req: Request };

/**
 * Gatehouse's Prometheus metrics (README, "Metrics"). Each application has its own registry,
 * so that two instances in one process (the tests) do not count into each other. Labels hold
 * outcomes, causes, route patterns and status codes: never a login, a token or an address.
 *
 * The hooks on hot paths (token checks, HTTP requests) use children bound to their labels once,
 * so a count is an increment, with no label object built per call.
 */
export class Metrics implements TokenCheckObserver, RateLimitObserver, SocketSweepObserver {
  readonly registry = new Registry();
  private readonly signIns: Record<SignInOutcome, Counter.Internal>;
  private readonly signInMethods: Counter<'method'>;
  private readonly tokenChecks: Record<TokenCheckOutcome, Counter.Internal>;
  private readonly registrations: Counter;
  private readonly revocations: Counter<'cause'>;
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly socketSweeps: Histogram;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const signIns = new Counter({
      name: 'gatehouse_sign_ins_total',
      help: 'Sign-in attempts in either dialect by outcome: ok, failed (wrong login or password), locked (refused by the failed sign-in lockout), limited (refused by the per-address budget)',
      labelNames: ['outcome'],
      registers,
    });
    this.signIns = {
      ok: signIns.labels('ok'),
      failed: signIns.labels('failed'),
      locked: signIns.labels('locked'),
      limited: signIns.labels('limited'),
    };
    this.signInMethods = new Counter({
      name: 'gatehouse_sign_ins_by_method_total',
      help: `Successful sign-ins by method: ${SIGN_IN_METHODS.join(', ')}, or other (named by a module's sign-in step)`,
      labelNames: ['method'],
      registers,
    });
    for (const method of SIGN_IN_METHODS) this.signInMethods.labels(method);
    this.registrations = new Counter({
      name: 'gatehouse_registrations_total',
      help: 'Accounts registered, either dialect',
      registers,
    });
    const checks = new Counter({
      name: 'gatehouse_token_checks_total',
      help: 'Token checks (HTTP and socket handshakes) by outcome: cache (a valid token found in the cache), database (a valid token read from the database), refused (unknown, malformed, expired or revoked)',
      labelNames: ['outcome'],
      registers,
    });
    this.tokenChecks = {
      cache: checks.labels('cache'),
      database: checks.labels('database'),
      refused: checks.labels('refused'),
    };
    this.revocations = new Counter({
      name: 'gatehouse_tokens_revoked_total',
      help: 'Tokens revoked, by cause (the cause of the token.revoked security event)',
      labelNames: ['cause'],
      registers,
    });
    this.requests = new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status, and how long they took to answer (its _count is the number of requests)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.socketSweeps = new Histogram({
      name: 'gatehouse_socket_sweep_seconds',
      help: 'Live-socket sweeps that found sockets open, and how long each held the event loop: its synchronous work before and after the database query (planning, dropping sockets), not the wait for the query',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2],
      registers,
    });
  }

  signIn(outcome: SignInOutcome): void {
    this.signIns[outcome].inc();
  }

  /** A successful sign-in's method (the `method` of its sign-in.succeeded event). */
  signedInBy(method: string): void {
    this.signInMethods.labels((SIGN_IN_METHODS as readonly string[]).includes(method) ? method : 'other').inc();
  }

  /** An attempt the per-address budget refused: a sign-in outcome of its own. */
  rateLimited(): void {
    this.signIns.limited.inc();
  }

  registered(): void {
    this.registrations.inc();
  }

  tokenCheck(outcome: TokenCheckOutcome): void {
    this.tokenChecks[outcome].inc();
  }

  socketSweep(blockedSeconds: number): void {
    this.socketSweeps.observe(blockedSeconds);
  }

  revoked(cause: RevocationCause, count = 1): void {
    this.revocations.labels(cause).inc(count);
  }

  /** Gauges read from the running application when scraped. */
  watch(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'gatehouse_open_sockets',
      help: 'socket.io connections open on this instance, all namespaces',
      registers,
      collect() {
        this.set(sources.openSockets());
      },
    });
    new Gauge({
      name: 'gatehouse_password_hash_queue_depth',
      help: 'Password hashes waiting for a thread of the hashing pool',
      registers,
      collect() {
        this.set(sources.hashQueueDepth());
      },
    });
    new Gauge({
      name: 'gatehouse_password_hash_wait_seconds',
      help: 'How long hashes waited for a thread since the process started, by quantile (1: the longest)',
      labelNames: ['quantile'],
      registers,
      collect() {
        const wait = sources.hashWaitMs();
        if (!wait) return;
        this.labels('0.5').set(wait.p50 / 1000);
        this.labels('0.9').set(wait.p90 / 1000);
        this.labels('0.99').set(wait.p99 / 1000);
        this.labels('1').set(wait.max / 1000);
      },
    });
    new Gauge({
      name: 'gatehouse_database_up',
      help: '1 while the database is connected and migrated, 0 while it is not',
      registers,
      collect() {
        this.set(sources.databaseUp() ? 1 : 0);
      },
    });
    if (sources.redisUp() !== null) {
      new Gauge({
        name: 'gatehouse_redis_up',
        help: '1 while the connection to REDIS_URL is up, 0 while it is not (not exported without REDIS_URL)',
        registers,
        collect() {
          this.set(sources.redisUp() ? 1 : 0);
        },
      });
    }
  }

  /**
   * Express middleware timing every HTTP request. One listener function for all responses: the
   * start time rides on the response, so nothing is allocated per request but the timestamp.
   */
  readonly timeRequests = (_request: Request, response: Response, next: NextFunction): void => {
    (response as Timed)[STARTED] = process.hrtime.bigint();
    // `on`, not `once` (which wraps the listener in a new function): a response finishes once.
    response.on('finish', this.onFinish);
    next();
  };

  /** Called by the response (`this`) when its last byte was handed to the network. */
  private readonly onFinish: (this: Timed) => void = ((metrics: Metrics) =>
    function (this: Timed) {
      metrics.observe(this);
    })(this);

  /** The route pattern Express matched (`/api/auth/login`), never the URL as sent. */
  private observe(response: Timed): void {
    const started = response[STARTED];
    if (started === undefined) return;
    const route = (response.req.route as { path?: unknown } | undefined)?.path;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.requests
      .labels(
        response.req.method,
        typeof route === 'string' ? (response.req.baseUrl ?? '') + route : UNMATCHED,
        String(response.statusCode),
      )
      .observe(seconds);
  }
}
