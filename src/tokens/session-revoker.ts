import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { afterCommit } from '../events/after-commit';
import type { RevocationCause } from '../events/security-event';
import { SecurityEvents } from '../events/security-events';
import { RevocationBus } from './revocation-bus';
import { type RevocationTarget, TokenStore } from './token-store';

/** The account whose tokens go: its id, and its login for the event. */
export interface RevokedAccount {
  id: number;
  login: string;
}

/** Who revoked, for the event: the client address where there is one (the entry point is added by SecurityEvents). */
export interface RevokingActor {
  address?: string | null;
}

/** One row of a sweep's batch, with its account's login. */
export interface SweptRow {
  id: number;
  accountId: number;
  login: string;
}

/**
 * The one way tokens stop working: every revocation (sign-out, ending sessions, a password
 * change, a deletion, a recovery, the owner's tools, the expiry and idle sweeps) comes here.
 * It deletes in the caller's transaction and, once that commits (never after a rollback):
 *
 * - announces the tokens on the RevocationBus (reason `expired` for an idle sweep, `revoked`
 *   otherwise), so that caches forget them and their sockets drop, on every instance with
 *   REDIS_URL; expired rows are not announced, every cache and socket already refuses them by
 *   their expiry;
 * - records one `token.revoked` event with the cause, none when nothing was revoked. `count` is
 *   written when the call named a set of tokens (all, all but one, given rows), even a set of
 *   one, and never for one named token.
 */
@Injectable()
export class SessionRevoker {
  constructor(
    private readonly store: TokenStore,
    private readonly bus: RevocationBus,
    private readonly events: SecurityEvents,
  ) {}

  /** Revokes the account's tokens that `which` names, inside the caller's transaction; returns how many. */
  async revoke(
    manager: EntityManager,
    account: RevokedAccount,
    which: RevocationTarget,
    cause: RevocationCause,
    actor: RevokingActor = {},
  ): Promise<number> {
    const ids = await this.store.deleteOf(manager, account.id, which);
    if (ids.length === 0) return 0;
    this.announce(manager, ids, cause);
    const counted = which === 'all' || !('token' in which);
    await this.record(manager, account, ids.length, counted, cause, actor);
    return ids.length;
  }

  /**
   * A sweep's batch: rows of many accounts, read in the caller's transaction, deleted with one
   * statement; one event per account, with its count. Returns how many.
   */
  async revokeSwept(manager: EntityManager, rows: readonly SweptRow[], cause: 'expiry' | 'idle'): Promise<number> {
    if (rows.length === 0) return 0;
    await this.store.deleteRows(
      manager,
      rows.map((r) => r.id),
    );
    this.announce(
      manager,
      rows.map((r) => r.id),
      cause,
    );
    const byAccount = new Map<number, { login: string; count: number }>();
    for (const row of rows) {
      const seen = byAccount.get(row.accountId);
      if (seen) seen.count++;
      else byAccount.set(row.accountId, { login: row.login, count: 1 });
    }
    for (const [id, { login, count }] of byAccount) await this.record(manager, { id, login }, count, true, cause, {});
    return rows.length;
  }

  private announce(manager: EntityManager, tokenIds: number[], cause: RevocationCause): void {
    if (cause === 'expiry') return;
    const reason = cause === 'idle' ? 'expired' : 'revoked';
    afterCommit(manager, () => this.bus.publish({ tokenIds, reason }));
  }

  private async record(
    manager: EntityManager,
    account: RevokedAccount,
    count: number,
    counted: boolean,
    cause: RevocationCause,
    actor: RevokingActor,
  ): Promise<void> {
    await this.events.recordIn(manager, {
      event: 'token.revoked',
      accountId: account.id,
      login: account.login,
      ...(actor.address !== undefined ? { address: actor.address } : {}),
      cause,
      ...(counted ? { count } : {}),
    });
  }
}
