import type { IncomingMessage } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The longest address kept (the tokens.address column): the longest textual IPv6 address,
 * `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`, without a zone id.
 */
export const ADDRESS_MAX_LENGTH = 45;

/**
 * Whether the sender of the address at `hop` (0: the TCP peer, 1: the nearest entry of
 * X-Forwarded-For, ...) is a proxy whose X-Forwarded-For is believed. Express compiles one from
 * its `trust proxy` setting (`app.get('trust proxy fn')`), which createApp sets from TRUST_PROXY;
 * it never trusts an entry that is not an IP address.
 */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client's address as the abuse limits count it and sessions record it: the TCP peer, or,
 * when the peer is a trusted proxy, the address it put in X-Forwarded-For (see clientAddressOf).
 */
export function clientAddress(request: Request): string {
  const trust = request.app?.get('trust proxy fn') as TrustProxy | undefined;
  return clientAddressOf(request, trust ?? trustNone);
}

const trustNone: TrustProxy = () => false;

/**
 * The client address of any HTTP request, an Express one or a socket.io handshake's. The
 * X-Forwarded-For entries are walked from the right, past every trusted proxy, as Express does;
 * the first untrusted one is the client. Whatever a proxy was sent is only believed if it is an
 * IPv4 or IPv6 address that fits the column: anything else (a name, markup, an address with a
 * long zone id) gives the TCP peer, so nothing but an address is ever stored or logged as one.
 * IPv4 peers seen through a dual-stack socket (`::ffff:1.2.3.4`) count as the IPv4 address.
 */
export function clientAddressOf(request: IncomingMessage, trust: TrustProxy): string {
  const peer = request.socket?.remoteAddress;
  if (peer === undefined) return 'unknown';
  let address = peer;
  const forwarded = forwardedAddresses(request.headers['x-forwarded-for']);
  for (let hop = 0; hop < forwarded.length && trust(address, hop); hop++) address = forwarded[hop];
  if (address === peer) return peerAddress(peer);
  return usableAddress(address) ?? peerAddress(peer);
}

/** X-Forwarded-For's entries, nearest first (Node joins repeated headers with commas). */
function forwardedAddresses(header: string | string[] | undefined): string[] {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .reverse();
}

/** The address in its stored form if it is one (IPv6 lower-cased, IPv4-mapped as IPv4) and fits; else null. */
function usableAddress(text: string): string | null {
  const family = isIP(text);
  if (family === 0) return null;
  const address = family === 6 ? unmapped(text.toLowerCase()) : text;
  return address.length <= ADDRESS_MAX_LENGTH ? address : null;
}

/** The TCP peer is always an address; only a long zone id could make it too long to keep. */
function peerAddress(peer: string): string {
  return usableAddress(peer) ?? usableAddress(peer.replace(/%.*$/, '')) ?? 'unknown';
}

function unmapped(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  return mapped && isIP(mapped[1]) === 4 ? mapped[1] : address;
}

/**
 * For the server's 'connection' event: reads the peer's address while the connection is fresh.
 * Node asks the kernel only when the address is first read and then keeps it; read only after
 * the client has gone, it is unknown.
 */
export function rememberPeer(socket: Socket): void {
  void socket.remoteAddress;
}

/** The request's client address (see clientAddress) as a handler parameter. */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  clientAddress(context.switchToHttp().getRequest<Request>()),
);

/** Express's `trust proxy` value for the TRUST_PROXY list: `false` believes no proxy. */
export function trustProxySetting(trusted: string[]): string[] | false {
  return trusted.length > 0 ? trusted : false;
}
