import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThanOrEqual, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import { PeriodicTask } from '../extension-points/periodic-task';
import type { RedisScript, SharedStore } from '../shared-store/shared-store';
import { PasskeyChallenge } from './passkey.entity';

/** How long a challenge waits for its response (CONTRACT section 19). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** 32 random bytes: twice the contract's least. */
const CHALLENGE_BYTES = 32;

/** What a challenge was issued for: `register` names the account; `login` none. */
export interface ChallengePurpose {
  purpose: 'register' | 'login';
  accountId: number | null;
}

/** A fresh challenge, base64url as the WebAuthn JSON forms carry it. */
export const newChallenge = (): string => randomBytes(CHALLENGE_BYTES).toString('base64url');

/** What is stored of a challenge: never the challenge itself. */
export const challengeHash = (challenge: string): string => createHash('sha256').update(challenge).digest('hex');

/**
 * The challenges waiting for their responses, on every instance: in the database, or in Redis when
 * REDIS_URL is set (PasskeysModule picks). `take` uses a challenge up whether or not the response
 * that presents it then verifies, and answers whether it was issued for `expected` (the same
 * purpose and account) and had not expired: false for one unknown, foreign, expired or already
 * taken.
 */
export abstract class ChallengeStore {
  abstract put(challenge: string, purpose: ChallengePurpose): Promise<void>;
  abstract take(challenge: string, expected: ChallengePurpose): Promise<boolean>;
}

const matches = (found: ChallengePurpose, expected: ChallengePurpose): boolean =>
  found.purpose === expected.purpose && found.accountId === expected.accountId;

/** In the database: one row per challenge, deleted by the first take or swept once expired. */
@Injectable()
export class DatabaseChallengeStore extends ChallengeStore {
  constructor(
    @InjectRepository(PasskeyChallenge) private readonly rows: Repository<PasskeyChallenge>,
    private readonly transactions: TransactionRunner,
    private readonly database: DatabaseConnector,
    private readonly clock: Clock,
  ) {
    super();
  }

  async put(challenge: string, purpose: ChallengePurpose): Promise<void> {
    await this.transactions.run((manager) =>
      manager.getRepository(PasskeyChallenge).insert({
        challengeHash: challengeHash(challenge),
        purpose: purpose.purpose,
        accountId: purpose.accountId,
        expiresAt: this.clock.now() + CHALLENGE_TTL_MS,
      }),
    );
  }

  /**
   * One conditional DELETE decides (of two requests presenting one challenge, only the one that
   * deleted its row has it); a challenge that does not match is deleted all the same.
   */
  async take(challenge: string, expected: ChallengePurpose): Promise<boolean> {
    const key = challengeHash(challenge);
    return this.transactions.run(async (manager) => {
      const query = manager
        .getRepository(PasskeyChallenge)
        .createQueryBuilder()
        .delete()
        .where('challenge_hash = :key', { key })
        .andWhere('purpose = :purpose', { purpose: expected.purpose })
        .andWhere('expires_at > :now', { now: this.clock.now() });
      if (expected.accountId === null) query.andWhere('account_id IS NULL');
      else query.andWhere('account_id = :accountId', { accountId: expected.accountId });
      if ((await query.execute()).affected === 1) return true;
      await manager.getRepository(PasskeyChallenge).delete({ challengeHash: key });
      return false;
    });
  }

  /** Deletes expired challenges, a bounded batch per run, every minute. */
  @PeriodicTask({ name: 'passkey challenge sweep', every: 60_000 })
  async sweep(): Promise<boolean> {
    if (!this.database.isReady) return false;
    const expired = await this.rows.find({
      select: { challengeHash: true },
      where: { expiresAt: LessThanOrEqual(this.clock.now()) },
      take: 1_000,
    });
    if (expired.length === 0) return false;
    const hashes = expired.map((row) => row.challengeHash);
    await this.transactions.run((manager) =>
      manager.getRepository(PasskeyChallenge).delete({ challengeHash: In(hashes) }),
    );
    return expired.length === 1_000;
  }
}

const TAKE = `
local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value
`;
const PUT = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;

/** In Redis: one key per challenge hash that Redis expires itself; GET and DEL in one script. */
export class RedisChallengeStore extends ChallengeStore {
  private readonly putScript: RedisScript;
  private readonly takeScript: RedisScript;

  constructor(store: SharedStore) {
    super();
    this.putScript = store.defineScript('gatehousePasskeyChallengePut', 1, PUT);
    this.takeScript = store.defineScript('gatehousePasskeyChallengeTake', 1, TAKE);
  }

  async put(challenge: string, purpose: ChallengePurpose): Promise<void> {
    await this.putScript([key(challenge)], [JSON.stringify(purpose), CHALLENGE_TTL_MS]);
  }

  async take(challenge: string, expected: ChallengePurpose): Promise<boolean> {
    const value = (await this.takeScript([key(challenge)], [])) as string | null;
    return value !== null && matches(JSON.parse(value) as ChallengePurpose, expected);
  }
}

const key = (challenge: string): string => `passkey-challenge:${challengeHash(challenge)}`;
