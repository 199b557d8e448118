/**
 * Told of every sign-in or registration attempt the per-address budget refuses, which has no
 * security event of its own (the metrics count it). Declared here and implemented above, so
 * that the limits depend on no metrics library.
 */
export abstract class RateLimitObserver {
  abstract rateLimited(): void;
}

/** Where nothing observes the limit. */
export const UNOBSERVED_RATE_LIMIT: RateLimitObserver = { rateLimited: () => undefined };
