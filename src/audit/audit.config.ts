import { configNamespace, setting } from '../config/config-namespace';

/**
 * The audit log's settings: AUDIT_RETENTION (the TOKEN_TTL syntax, or `off` to keep every
 * event), how long stored security events are kept before the background deletes them.
 */
export class AuditConfig extends configNamespace('AUDIT', {
  AUDIT_RETENTION: setting.duration({ default: '90d', min: '1m', off: true }),
}) {}
