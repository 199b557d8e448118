import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { PeriodicTask } from '../extension-points/periodic-task';
import type { Session } from './session';
import { Token } from './token.entity';

/** "Last used" is written at most this often per token, never on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Uses noted in memory are written this often (by the server's BackgroundWork). */
export const USE_FLUSH_MS = 1_000;
/** Tokens per UPDATE statement. */
const BATCH = 500;

/**
 * The "last used" bookkeeping of tokens, kept off the request's path: a use is noted in memory
 * (at most once a minute per token) and the next flush writes every token used meanwhile with
 * one statement per batch, so a busy token check costs no write of its own.
 */
@Injectable()
export class TokenUseRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Tokens');
  /** Token ids whose use is still to be written, with the time of that use. */
  private readonly pending = new Map<number, number>();
  private flushing?: Promise<void>;

  constructor(private readonly transactions: TransactionRunner) {}

  /** Notes a use of the session's token, unless one was noted less than a minute ago. */
  record(session: Session, now: number): void {
    if (session.lastUsedAt !== null && now - session.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    session.lastUsedAt = now;
    this.pending.set(session.tokenId, now);
  }

  /** The last uses are written while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    // A periodic write still under way reports its own failure; this one is the last.
    await this.flushing?.catch(() => undefined);
    await this.flush().catch((error: unknown) =>
      this.logger.warn(`could not record token use: ${(error as Error).message}`),
    );
  }

  /**
   * Writes the uses noted so far (joining a write under way instead of starting a second one).
   * When the write fails the uses stay noted for the next flush, and it rejects: the periodic
   * flush reports the outage, and the idle sweep does not delete tokens whose uses are unwritten.
   */
  @PeriodicTask({ name: 'token-use flush', every: USE_FLUSH_MS })
  flush(): Promise<void> {
    if (this.flushing || this.pending.size === 0) return this.flushing ?? Promise.resolve();
    const uses = [...this.pending];
    this.pending.clear();
    this.flushing = this.write(uses)
      .catch((error: unknown) => {
        for (const [tokenId, at] of uses) if ((this.pending.get(tokenId) ?? 0) < at) this.pending.set(tokenId, at);
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private async write(uses: [tokenId: number, at: number][]): Promise<void> {
    for (let i = 0; i < uses.length; i += BATCH) {
      const batch = uses.slice(i, i + BATCH);
      // One time per batch, its latest: at a one-minute resolution a second does not matter.
      const at = Math.max(...batch.map(([, time]) => time));
      await this.transactions.run((m) =>
        m.getRepository(Token).update({ id: In(batch.map(([id]) => id)) }, { lastUsedAt: at }),
      );
    }
  }
}
