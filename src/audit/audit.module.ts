import { Module } from '@nestjs/common';
import { ActivityController } from './activity.controller';
import { AuditLogModule } from './audit-log.module';

/**
 * The audit log in the server (CONTRACT section 20): the stored events (AuditLogModule) and
 * the account's own view of them (GET /api/auth/activity).
 */
@Module({
  imports: [AuditLogModule],
  controllers: [ActivityController],
})
export class AuditModule {}
