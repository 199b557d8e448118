/** What one sweep of the live sockets does, decided from memory alone. */
export interface SweepPlan {
  /** Tokens that expired or went idle, known from memory: their sockets go without asking the database. */
  expired: number[];
  /** Tokens to look up in the database this time, ascending. */
  check: number[];
  /** Where the next sweep resumes when not every token fit in this one. */
  cursor: number;
}

/**
 * Splits the live sockets' tokens into those that no longer stand (`isLive` is false:
 * TokenVerifier.isLive, expired or idle) and at most `max` to check against the database. When
 * there are more than `max`, successive sweeps take turns through them in id order, resuming
 * after `cursor`, so every token is checked within a few sweeps and no single sweep grows with
 * the number of sockets.
 */
export function planSweep<S extends { tokenId: number }>(
  sessions: Iterable<S>,
  isLive: (session: S) => boolean,
  cursor: number,
  max: number,
): SweepPlan {
  const expired = new Set<number>();
  const live = new Set<number>();
  for (const session of sessions) (isLive(session) ? live : expired).add(session.tokenId);
  for (const id of expired) live.delete(id);
  const ids = [...live].sort((a, b) => a - b);
  if (ids.length <= max) return { expired: [...expired], check: ids, cursor: 0 };
  let start = ids.findIndex((id) => id > cursor);
  if (start === -1) start = 0;
  const check = ids.slice(start, start + max);
  if (check.length < max) check.push(...ids.slice(0, max - check.length));
  return { expired: [...expired], check: check.sort((a, b) => a - b), cursor: ids[(start + max - 1) % ids.length] };
}
