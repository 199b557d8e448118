import type { RevocationCause } from './security-event';
import type { SecurityEvents } from './security-events';

/**
 * Records that one call revoked `count` tokens of an account: one `token.revoked` line, with a
 * count when there were several, none when there were none.
 */
export function recordRevoked(
  events: SecurityEvents,
  who: { accountId: number; login: string; address?: string | null },
  cause: RevocationCause,
  count: number,
): void {
  if (count === 0) return;
  events.record({ event: 'token.revoked', ...who, cause, ...(count > 1 ? { count } : {}) });
}
