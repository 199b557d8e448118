import { Injectable } from '@nestjs/common';
import type { ExtendedError } from 'socket.io';
import type { PresentedToken } from '../auth/token-header';
import { clientAddressOf, type TrustProxy } from '../limits/client-address';
import { TokenFailureLimiter } from '../limits/token-failure-limiter';
import type { GatehouseSocket } from './socket-session';

/** The `connect_error` message of a handshake from an address over TOKEN_FAILURES_PER_MINUTE. */
export const HANDSHAKE_TOO_MANY = 'Too Many Requests';

/** Refused handshakes after which a connection (engine.io's, under every namespace) is closed. */
export const MAX_REFUSED_HANDSHAKES = 3;

/**
 * What CONTRACT section 23 asks of the socket.io handshake, for HandshakeAuthenticator:
 *
 * - refused token checks count against the client address with the REST API's
 *   (TokenFailureLimiter), and an address over TOKEN_FAILURES_PER_MINUTE is refused with
 *   `Too Many Requests` before its token is looked up (`data.retryAfter` in seconds), when it
 *   presents one: a handshake without a token is refused as `Unauthorized` as before;
 * - a connection whose handshakes were refused MAX_REFUSED_HANDSHAKES times is closed, once
 *   the last refusal has gone out: socket.io keeps a connection open after a refused namespace
 *   handshake, and one connection could otherwise ask for token checks without end.
 *
 * The client address is read as the REST API reads it, with the same trusted proxies.
 */
@Injectable()
export class HandshakeLimits {
  /** Refused handshakes per engine.io connection. */
  private readonly refusals = new WeakMap<object, number>();
  private trust: TrustProxy = () => false;

  constructor(private readonly failures: TokenFailureLimiter) {}

  /** The HTTP application's `trust proxy fn` (GatehouseIoAdapter hands it over). */
  trustProxies(trust: TrustProxy): void {
    this.trust = trust;
  }

  /** The refusal of a handshake that presents a token from a blocked address; undefined otherwise. */
  blocked(socket: GatehouseSocket, presented: PresentedToken): ExtendedError | undefined {
    if (presented.kind === 'none' || !this.failures.blocking) return undefined;
    const retryAfter = this.failures.retryAfter(this.addressOf(socket));
    if (retryAfter === 0) return undefined;
    return Object.assign(new Error(HANDSHAKE_TOO_MANY), { data: { retryAfter } });
  }

  /** A handshake's token check was refused: counted against its address, if it presented a token. */
  tokenRefused(socket: GatehouseSocket, presented: PresentedToken): void {
    if (presented.kind !== 'none') this.failures.refused(this.addressOf(socket));
  }

  /**
   * Called just after a refusal was handed to socket.io: the third on a connection closes it.
   * socket.io sends the refusal on the next tick; the close comes after it, and waits for what
   * is still being written.
   */
  handshakeRefused(socket: GatehouseSocket): void {
    const connection = socket.conn;
    const refused = (this.refusals.get(connection) ?? 0) + 1;
    this.refusals.set(connection, refused);
    if (refused === MAX_REFUSED_HANDSHAKES) process.nextTick(() => connection.close());
  }

  private addressOf(socket: GatehouseSocket): string {
    return clientAddressOf(socket.request, this.trust);
  }
}
