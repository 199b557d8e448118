/**
 * Told, after each live-socket sweep that found sockets open, how long it held the event loop:
 * its synchronous parts before and after the database query, in seconds (the metrics keep a
 * histogram). Declared here and implemented above, so that realtime depends on no metrics
 * library.
 */
export abstract class SocketSweepObserver {
  abstract socketSweep(blockedSeconds: number): void;
}

/** Where nothing observes the sweeps (the owner's command line runs none anyway). */
export const UNOBSERVED_SOCKET_SWEEPS: SocketSweepObserver = { socketSweep: () => undefined };
