import type { Session } from './session';

interface Entry {
  session: Session;
  checkedAt: number;
}

/**
 * A bounded, short-lived memory of recent token checks, keyed by token hash, so that a hot
 * token costs no database round trip.
 *
 * - An entry is trusted for `maxAgeMs` only (under a second): a revocation made by another
 *   process is seen by the next check after that.
 * - A revocation made by this process removes the entry at once, and `generation` makes sure
 *   a check that was already reading the database when the revocation happened cannot put the
 *   stale answer back.
 * - Map iteration order is insertion order, so evicting the first key drops the oldest entry.
 */
export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly hashById = new Map<number, string>();
  private generationCounter = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Changes whenever something is forgotten; see `set`. */
  get generation(): number {
    return this.generationCounter;
  }

  get(tokenHash: string, now: number): Session | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (now - entry.checkedAt >= this.maxAgeMs || entry.session.expiresAt <= now) {
      this.delete(tokenHash, entry.session.tokenId);
      return undefined;
    }
    return entry.session;
  }

  /** Stores a fresh answer, unless something was forgotten since `generation` was read. */
  set(tokenHash: string, session: Session, now: number, generation: number): void {
    if (generation !== this.generationCounter) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { session, checkedAt: now });
    this.hashById.set(session.tokenId, tokenHash);
    while (this.entries.size > this.maxEntries) {
      const [oldestHash, oldest] = this.entries.entries().next().value as [string, Entry];
      this.delete(oldestHash, oldest.session.tokenId);
    }
  }

  forgetTokens(tokenIds: Iterable<number>): void {
    this.generationCounter++;
    for (const id of tokenIds) {
      const hash = this.hashById.get(id);
      if (hash !== undefined) this.delete(hash, id);
    }
  }

  /** Forgets every token of the account (a change of the account that its sessions carry). */
  forgetAccount(accountId: number): void {
    this.generationCounter++;
    for (const [tokenHash, entry] of this.entries) {
      if (entry.session.accountId === accountId) this.delete(tokenHash, entry.session.tokenId);
    }
  }

  private delete(tokenHash: string, tokenId: number): void {
    this.entries.delete(tokenHash);
    this.hashById.delete(tokenId);
  }
}
