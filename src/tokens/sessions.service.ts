import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, MoreThan, Not, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { Session } from './session';
import { isSessionIdShaped } from './session-id';
import { Token } from './token.entity';
import { TokensService } from './tokens.service';

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
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The account's sessions: listing them and ending some, by their public id. */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Token) private readonly tokens: Repository<Token>,
    private readonly tokensService: TokensService,
    private readonly clock: Clock,
  ) {}

  /**
   * The live sessions of the caller's account, newest first, at most SESSIONS_LISTED, and how
   * many there are in all. Idle tokens are left out: they are refused like expired ones.
   */
  async list(caller: Session): Promise<{ total: number; sessions: SessionView[] }> {
    const now = this.clock.now();
    const rows = (
      await this.tokens.find({
        where: { accountId: caller.accountId, expiresAt: MoreThan(now) },
        order: { createdAt: 'DESC', id: 'DESC' },
      })
    ).filter(
      (row) =>
        row.id === caller.tokenId ||
        this.tokensService.isLive(
          { expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt, issuedAt: row.createdAt },
          now,
        ),
    );
    const sessions = rows.slice(0, SESSIONS_LISTED).map((row) => this.view(row, caller, now));
    return { total: rows.length, sessions };
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
    };
  }

  /**
   * Deletes the live session `publicId` of the account inside the caller's transaction; returns
   * its token id, or null when the account has no such live session.
   */
  async deleteOne(manager: EntityManager, accountId: number, publicId: string): Promise<number | null> {
    // No such session can have another shape; and PostgreSQL refuses a NUL byte in a parameter.
    if (!isSessionIdShaped(publicId)) return null;
    const repo = manager.getRepository(Token);
    const row = await repo.findOneBy({ publicId, accountId, expiresAt: MoreThan(this.clock.now()) });
    if (!row) return null;
    await repo.delete({ id: row.id });
    return row.id;
  }

  /** Deletes every token of the account but one inside the caller's transaction; returns their ids. */
  async deleteOthers(manager: EntityManager, accountId: number, keepTokenId: number): Promise<number[]> {
    const repo = manager.getRepository(Token);
    const ids = (await repo.find({ select: { id: true }, where: { accountId, id: Not(keepTokenId) } })).map(
      (t) => t.id,
    );
    if (ids.length > 0) await repo.delete({ accountId, id: Not(keepTokenId) });
    return ids;
  }
}
