/** How a token check ended: a valid token found in the cache or read from the database, or refused. */
export type TokenCheckOutcome = 'cache' | 'database' | 'refused';

/**
 * Told the outcome of every token check, HTTP and socket handshakes alike (the metrics count
 * them). Declared here and implemented above, so that the token check depends on no metrics
 * library. It runs on every authenticated request: an implementation only bumps a counter.
 */
export abstract class TokenCheckObserver {
  abstract tokenCheck(outcome: TokenCheckOutcome): void;
}

/** Where nothing observes the checks (the owner's command line checks no tokens anyway). */
export const UNOBSERVED_TOKEN_CHECKS: TokenCheckObserver = { tokenCheck: () => undefined };
