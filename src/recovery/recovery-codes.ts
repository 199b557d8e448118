import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { TransactionRunner } from '../database/transaction-runner';
import { RecoveryCode } from './recovery-code.entity';
import { generateRecoveryCode, hashRecoveryCode, normaliseRecoveryCode, sameHash } from './recovery-code-secret';

export interface IssuedCode {
  /** Shown once, to the owner; only its hash is stored. */
  code: string;
  expiresAt: number;
}

/** The store of owner-issued recovery codes: at most one per account, kept only as a hash. */
@Injectable()
export class RecoveryCodes {
  constructor(
    @InjectRepository(RecoveryCode) private readonly codes: Repository<RecoveryCode>,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * A new code for the account, replacing any earlier one. Its lifetime is fixed now, from this
   * process's RECOVERY_CODE_TTL: the server that redeems it may be configured differently.
   */
  issue(accountId: number): Promise<IssuedCode> {
    return this.transactions.run((manager) => this.issueIn(manager, accountId));
  }

  /** issue(), inside the caller's transaction. */
  async issueIn(manager: EntityManager, accountId: number): Promise<IssuedCode> {
    const code = generateRecoveryCode();
    const now = this.clock.now();
    const row = {
      accountId,
      codeHash: hashRecoveryCode(normaliseRecoveryCode(code)!),
      createdAt: now,
      expiresAt: now + this.config.recoveryCodeTtlMs,
    };
    await manager.getRepository(RecoveryCode).upsert(row, ['accountId']);
    return { code, expiresAt: row.expiresAt };
  }

  /** The account's unexpired code, if any (its times only matter to the caller). */
  live(accountId: number): Promise<RecoveryCode | null> {
    return this.codes.findOneBy({ accountId, expiresAt: MoreThan(this.clock.now()) });
  }

  /**
   * The hash of `typed` when it is the account's live code, otherwise null. `accountId` null
   * (an unknown handle) still costs a lookup, so that it answers in about the same time.
   */
  async match(accountId: number | null, typed: string): Promise<string | null> {
    const row = await this.live(accountId ?? 0);
    const normalised = normaliseRecoveryCode(typed);
    if (!row || accountId === null || normalised === null) return null;
    const hash = hashRecoveryCode(normalised);
    return sameHash(hash, row.codeHash) ? hash : null;
  }

  /**
   * Uses the code up inside the caller's transaction. False when it is no longer there to use:
   * redeemed by a parallel request, replaced, or expired meanwhile. The row lock of the delete
   * makes this the one place that decides which of several parallel redemptions wins.
   */
  async consume(manager: EntityManager, accountId: number, codeHash: string): Promise<boolean> {
    const result = await manager
      .getRepository(RecoveryCode)
      .delete({ accountId, codeHash, expiresAt: MoreThan(this.clock.now()) });
    return (result.affected ?? 0) === 1;
  }

  /** Forgets the account's code inside the caller's transaction (the account is going away). */
  async removeOf(manager: EntityManager, accountId: number): Promise<void> {
    await manager.getRepository(RecoveryCode).delete({ accountId });
  }
}
