import { configNamespace, setting } from '../config/config-namespace';

/**
 * ACCESS_TOKEN_MAX_TTL: the longest an access token may be created for (CONTRACT section 21,
 * default `365d`, in the TOKEN_TTL syntax).
 */
export class AccessTokensConfig extends configNamespace('ACCESS_TOKEN', {
  ACCESS_TOKEN_MAX_TTL: setting.duration({ default: '365d', min: '1s' }),
}) {}

/**
 * INTROSPECTION_PER_MINUTE: how many POST /api/auth/introspect calls one caller token may make
 * per minute on one instance (fixed one-minute windows; default 6000, 100 a second on average;
 * `0` turns the limit off). A resource server that introspects every request it serves should
 * cache the answers for a few seconds rather than raise this.
 */
export class IntrospectionConfig extends configNamespace('INTROSPECTION', {
  INTROSPECTION_PER_MINUTE: setting.integer({ default: 6000, min: 0, max: 100_000_000 }),
}) {}
