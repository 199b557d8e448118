import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import { PeriodicTask } from '../extension-points/periodic-task';
import { SessionRevoker, type SweptRow } from './session-revoker';
import { Token } from './token.entity';
import { TokenUseRecorder } from './token-use-recorder';

/** Rows per statement. */
const BATCH = 500;
/** Batches per sweep and kind, so that one sweep stays bounded even after a long outage. */
const MAX_BATCHES_PER_SWEEP = 20;
/**
 * An idle row is deleted this long after it is refused: other instances write their uses once a
 * second, and a row must not go while a use of it is on its way to the table.
 */
const IDLE_DELETE_MARGIN_MS = 5_000;

/** What one kind of deletion did in a sweep: rows deleted, and whether it stopped at its bound with more left. */
interface Deleted {
  rows: number;
  more: boolean;
}

/**
 * Deletes expired token rows, and with TOKEN_IDLE_TTL idle ones, in bounded batches; the
 * server runs a sweep every TOKEN_SWEEP_INTERVAL (@PeriodicTask, run by lifecycle/background-work.ts), and again
 * shortly after a sweep that stopped at its bound (a backlog, as after an outage), the owner's
 * tools never do. Each batch is revoked through SessionRevoker: a security event per account
 * (`token.revoked`, cause `expiry` or `idle`, with a count; TransactionRunner writes a big
 * batch's lines a few per turn of the event loop), and idle tokens announced, so that caches
 * and sockets let them go everywhere.
 */
@Injectable()
export class ExpiredTokenSweeper {
  private readonly logger = new Logger('Tokens');

  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly revoker: SessionRevoker,
    private readonly transactions: TransactionRunner,
    private readonly uses: TokenUseRecorder,
    private readonly database: DatabaseConnector,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** TOKEN_SWEEP_INTERVAL. */
  get periodMs(): number {
    return this.config.tokenSweepIntervalMs;
  }

  /**
   * One sweep; resolves to true when it stopped at its bound with rows left to delete (the
   * periodic task then sweeps again shortly), and rejects when the database fails (the periodic
   * task reports it once per outage).
   */
  @PeriodicTask({ name: 'expired-token sweep', every: (self: ExpiredTokenSweeper) => self.periodMs })
  async sweep(): Promise<boolean> {
    if (!this.database.isReady) return false;
    // Expired rows are read in the order of their index: ordered by id, a batch would first
    // walk past every older row still valid (a second per batch with 10⁶ of them).
    const expired = await this.deleteWhere('expiry', 't.expires_at <= :now', 't.expires_at', () => ({
      now: this.clock.now(),
    }));
    let idle: Deleted = { rows: 0, more: false };
    const idleTtl = this.config.tokenIdleTtlMs;
    if (idleTtl !== null) {
      // Uses noted in this process must reach the table before it is read.
      await this.uses.flush();
      // Access tokens never go idle (section 21): a program may use its token once a month.
      const condition = "t.kind <> 'access' AND COALESCE(t.last_used_at, t.created_at) <= :cutoff";
      idle = await this.deleteWhere('idle', condition, 't.id', () => ({
        cutoff: this.clock.now() - idleTtl - IDLE_DELETE_MARGIN_MS,
      }));
    }
    if (expired.rows + idle.rows > 0) this.logger.log(`deleted ${expired.rows} expired and ${idle.rows} idle tokens`);
    return expired.more || idle.more;
  }

  /** Deletes up to MAX_BATCHES_PER_SWEEP batches of rows matching `condition`, read in `order`. */
  private async deleteWhere(
    cause: 'expiry' | 'idle',
    condition: string,
    order: string,
    parameters: () => Record<string, number>,
  ): Promise<Deleted> {
    let deleted = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP; batch++) {
      const params = parameters();
      // One table only: joined to accounts, the plan may change with the tables' statistics to
      // sorting every expired row for each batch (seconds with 10⁶ of them).
      const read = await this.tokens
        .createQueryBuilder('t')
        .select('t.id', 'id')
        .addSelect('t.account_id', 'accountId')
        .where(condition, params)
        .orderBy(order)
        .limit(BATCH)
        .getRawMany<{ id: number | string; accountId: number | string }>();
      if (read.length === 0) return { rows: deleted, more: false };
      const rows = await this.withLogins(read.map((r) => ({ id: Number(r.id), accountId: Number(r.accountId) })));
      // The condition is repeated: a row used or changed since it was read stays.
      deleted += await this.transactions.run(async (m) => {
        if (rows.length === 0) return 0;
        const still = await m
          .getRepository(Token)
          .createQueryBuilder('t')
          .select('t.id', 'id')
          .where('t.id IN (:...ids)', { ids: rows.map((r) => r.id) })
          .andWhere(condition, params)
          .getRawMany<{ id: number }>();
        const stillIds = new Set(still.map((r) => Number(r.id)));
        return this.revoker.revokeSwept(
          m,
          rows.filter((r) => stillIds.has(r.id)),
          cause,
        );
      });
      if (read.length < BATCH) return { rows: deleted, more: false };
    }
    return { rows: deleted, more: true };
  }

  /** The rows with their account's login; a row whose account is gone (its tokens with it) is left out. */
  private async withLogins(rows: { id: number; accountId: number }[]): Promise<SweptRow[]> {
    const accounts = await this.tokens.manager
      .createQueryBuilder(Account, 'a')
      .select('a.id', 'id')
      .addSelect('a.login', 'login')
      .where('a.id IN (:...ids)', { ids: [...new Set(rows.map((r) => r.accountId))] })
      .getRawMany<{ id: number | string; login: string }>();
    const logins = new Map(accounts.map((a) => [Number(a.id), a.login]));
    return rows.flatMap((r) => {
      const login = logins.get(r.accountId);
      return login === undefined ? [] : [{ ...r, login }];
    });
  }
}
