import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The client's address as the abuse limits count it: the TCP peer, or the address a trusted
 * proxy put in X-Forwarded-For. Express decides which, from its `trust proxy` setting, which
 * createApp sets from TRUST_PROXY (and nothing else: by default no proxy is believed).
 * IPv4 peers seen through a dual-stack socket (`::ffff:1.2.3.4`) count as the IPv4 address.
 */
export function clientAddress(request: Request): string {
  const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/** The request's client address (see clientAddress) as a handler parameter. */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext): string =>
  clientAddress(context.switchToHttp().getRequest<Request>()),
);

/** Express's `trust proxy` value for the TRUST_PROXY list: `false` believes no proxy. */
export function trustProxySetting(trusted: string[]): string[] | false {
  return trusted.length > 0 ? trusted : false;
}
