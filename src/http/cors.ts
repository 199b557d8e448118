import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import type { AppConfig } from '../config/config';

/**
 * Origins in CORS_ORIGINS (or any, with `*`) may call every endpoint with the token headers;
 * an origin not listed gets no Access-Control-Allow-Origin. Tokens travel in headers, never
 * cookies, so credentials mode is not needed.
 */
export function corsOptions(config: Pick<AppConfig, 'corsOrigins'>): CorsOptions {
  const allowed = config.corsOrigins;
  return {
    origin: (origin, callback) => {
      callback(null, origin !== undefined && (allowed === '*' || allowed.includes(origin)));
    },
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authentication', 'Authorization', 'Content-Type'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
}

/**
 * Whether a socket.io handshake may proceed. A browser's WebSocket is not subject to CORS,
 * so the origin check of the polling transport is repeated here for every transport: a
 * request from a browser (it has an Origin) must come from the service's own origin or a
 * listed one. Clients that are not browsers send no Origin and are let through.
 */
export function handshakeOriginAllowed(
  config: Pick<AppConfig, 'corsOrigins'>,
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (origin === undefined) return true;
  const allowed = config.corsOrigins;
  if (allowed === '*' || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
