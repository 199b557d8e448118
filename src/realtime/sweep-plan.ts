/** What one sweep of the live sockets does, decided from memory alone. */
export interface SweepPlan {
  /** Tokens whose known expiry has passed: their sockets go without asking the database. */
  expired: number[];
  /** Tokens to look up in the database this time, ascending. */
  check: number[];
  /** Where the next sweep resumes when not every token fit in this one. */
  cursor: number;
}

/**
 * Splits the live sockets' tokens into those known to have expired and at most `max` to check
 * against the database. When there are more than `max`, successive sweeps take turns through
 * them in id order, resuming after `cursor`, so every token is checked within a few sweeps and
 * no single sweep grows with the number of sockets.
 */
export function planSweep(
  sessions: Iterable<{ tokenId: number; expiresAt: number }>,
  now: number,
  cursor: number,
  max: number,
): SweepPlan {
  const expired = new Set<number>();
  const live = new Set<number>();
  for (const { tokenId, expiresAt } of sessions) (expiresAt <= now ? expired : live).add(tokenId);
  for (const id of expired) live.delete(id);
  const ids = [...live].sort((a, b) => a - b);
  if (ids.length <= max) return { expired: [...expired], check: ids, cursor: 0 };
  let start = ids.findIndex((id) => id > cursor);
  if (start === -1) start = 0;
  const check = ids.slice(start, start + max);
  if (check.length < max) check.push(...ids.slice(0, max - check.length));
  return { expired: [...expired], check: check.sort((a, b) => a - b), cursor: ids[(start + max - 1) % ids.length] };
}
