import type { AddressInfo } from 'node:net';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import { AccountLookup } from '../accounts/account-lookup';
import { configureApp } from '../app.factory';
import { AppModule } from '../app.module';
import type { Clock } from '../clock/clock';
import { parseConfig } from '../config/config';
import { DatabaseConnector } from '../database/database-connector';
import type { SecurityEvent } from '../events/security-event';

/**
 * Unit-testing a module added to Gatehouse, in the style of @nestjs/testing: Gatehouse with the
 * given modules, its guard, validation pipe, error filter and socket adapter exactly as the
 * server has them, on an in-memory SQLite database, listening on a free port of 127.0.0.1.
 * Import it from this file (not from src/extension, which the server loads):
 *
 *     const gatehouse = await GatehouseTesting.start({ modules: [NotesModule], env: { NOTES_MAX_LENGTH: '20' } });
 *     const alice = await gatehouse.signUp('alice');
 *     await fetch(`${gatehouse.url}/api/notes`, { headers: { Authentication: alice.token } });
 *     await gatehouse.close();
 */
export interface GatehouseTestingOptions {
  /** The modules under test (with whatever they import). */
  modules?: Type[];
  /**
   * Variables, Gatehouse's and the modules' namespaces' alike; the process environment is not
   * read. Defaults for speed: BCRYPT_COST 4, no per-address limit, no failure limit to speak of.
   */
  env?: Record<string, string>;
  /** Replace providers before the application is built: `(b) => b.overrideProvider(X).useValue(y)`. */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  /** The time source (an OffsetClock or ManualClock to move instead of sleeping). */
  clock?: Clock;
}

/** An account made by signUp. */
export interface TestAccount {
  login: string;
  password: string;
  accountId: number;
  /** Its first token, for the Authentication header or the socket handshake. */
  token: string;
}

const DEFAULT_ENV: Record<string, string> = {
  BCRYPT_COST: '4',
  RATE_LIMIT_PER_MINUTE: '0',
  LOGIN_MAX_FAILURES: '1000',
  API_DOCS: 'off',
  ACCOUNT_PAGE: 'off',
};

export class GatehouseTesting {
  private constructor(
    /** The running application: `app.get(SomeProvider)`. */
    readonly app: NestExpressApplication,
    /** `http://127.0.0.1:<port>`. */
    readonly url: string,
    /** Every security event written so far, Gatehouse's and the modules', in order. */
    readonly events: SecurityEvent[],
  ) {}

  static async start(options: GatehouseTestingOptions = {}): Promise<GatehouseTesting> {
    const config = parseConfig({ ...DEFAULT_ENV, DATABASE_URL: 'sqlite::memory:', ...options.env });
    const events: SecurityEvent[] = [];
    const root = AppModule.forRoot(config, {
      modules: options.modules ?? [],
      clock: options.clock,
      events: { sink: (line) => events.push(JSON.parse(line) as SecurityEvent) },
    });
    const builder = Test.createTestingModule({ imports: [root] });
    const testing = await (options.override ? options.override(builder) : builder).compile();
    const app = testing.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
    configureApp(app, config);
    try {
      await app.listen(0, '127.0.0.1');
      await app.get(DatabaseConnector).connect();
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new GatehouseTesting(app, `http://127.0.0.1:${port}`, events);
  }

  /** A provider of the application (a module's service, Gatehouse's Clock...). */
  get<T>(type: Type<T>): T {
    return this.app.get(type, { strict: false });
  }

  /** Registers an account (Birdhouse dialect) and returns it with its first token. */
  async signUp(login: string, password = 'Testing-Password-1'): Promise<TestAccount> {
    const response = await fetch(`${this.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ handle: login, pwd: Buffer.from(password, 'utf8').toString('base64') }),
    });
    const body = (await response.json()) as { token?: string; message?: string };
    if (response.status !== 200 || !body.token)
      throw new Error(`sign-up of ${login}: ${response.status} ${body.message}`);
    const account = await this.get(AccountLookup).byLogin(login);
    return { login: account.login, password, accountId: account.id, token: body.token };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
