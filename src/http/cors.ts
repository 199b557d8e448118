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
