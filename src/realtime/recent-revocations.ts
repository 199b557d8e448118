/**
 * Token ids revoked a moment ago. A handshake reads its session from the database before it
 * joins the token's room; a revocation announced in between would miss that socket, so the
 * handshake and the connection both look here. Entries only need to outlive the slowest
 * handshake, hence the short, bounded memory (Map order is insertion order: oldest first).
 */
export class RecentRevocations {
  private readonly revokedAt = new Map<number, number>();

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  add(tokenIds: Iterable<number>, now: number): void {
    for (const id of tokenIds) {
      this.revokedAt.delete(id);
      this.revokedAt.set(id, now);
    }
    this.prune(now);
  }

  has(tokenId: number, now: number): boolean {
    const at = this.revokedAt.get(tokenId);
    return at !== undefined && now - at < this.maxAgeMs;
  }

  get size(): number {
    return this.revokedAt.size;
  }

  private prune(now: number): void {
    for (const [id, at] of this.revokedAt) {
      if (this.revokedAt.size <= this.maxEntries && now - at < this.maxAgeMs) break;
      this.revokedAt.delete(id);
    }
  }
}
