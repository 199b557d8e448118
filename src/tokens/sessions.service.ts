import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import type { Session } from './session';
import { Token } from './token.entity';

/** The most sessions one listing shows (CONTRACT section 11). */
export const SESSIONS_LISTED = 100;

/** One session as the account's owner sees it (section 11): never the token, nor its hash. */
export interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  client: string | null;
  address: string | null;
  /** How it was signed in (`password`, `password+totp`, ...); null for tokens from before it was recorded. */
  method: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The account's sessions as its owner sees them (ending one goes through SessionRevoker). */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * The live sessions of the caller's account, newest first, at most SESSIONS_LISTED, and how
   * many there are in all. The database counts them and returns only the rows shown: an
   * account may hold thousands of tokens.
   */
  async list(caller: Session): Promise<{ total: number; sessions: SessionView[] }> {
    const now = this.clock.now();
    const live = this.tokens
      .createQueryBuilder('t')
      .where('t.account_id = :accountId', { accountId: caller.accountId })
      .andWhere('t.expires_at > :now', { now });
    const idleTtl = this.config.tokenIdleTtlMs;
    if (idleTtl !== null) {
      // Idle tokens are refused like expired ones (sessionState), so they are left out; the
      // caller's own is in use right now, whatever the table says yet.
      // Access tokens never go idle.
      live.andWhere("(t.id = :callerId OR t.kind = 'access' OR COALESCE(t.last_used_at, t.created_at) > :idleSince)", {
        callerId: caller.tokenId,
        idleSince: now - idleTtl,
      });
    }
    const [rows, total] = await live
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .take(SESSIONS_LISTED)
      .getManyAndCount();
    return { total, sessions: rows.map((row) => this.view(row, caller, now)) };
  }

  private view(row: Token, caller: Session, now: number): SessionView {
    const current = row.id === caller.tokenId;
    // The caller's own token is in use right now, whatever the table says yet.
    const lastUsedAt = current ? (caller.lastUsedAt ?? now) : row.lastUsedAt;
    return {
      id: row.publicId,
      current,
      createdAt: iso(row.createdAt),
      lastUsedAt: lastUsedAt === null ? null : iso(lastUsedAt),
      expiresAt: iso(row.expiresAt),
      client: row.client,
      address: row.address,
      method: row.method,
    };
  }
}
