import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { ActivityController } from './activity.controller';
import { AuditLogModule } from './audit-log.module';
import { AuditRetention } from './audit-retention';
import { FailedSignInThrottle } from './failed-sign-in-throttle';
import { LiveSecurityEvents } from './live-security-events';
import { StoredEvent } from './stored-event.entity';

/**
 * The audit log in the server (CONTRACT section 20): the stored events (AuditLogModule), the
 * account's own view of them (GET /api/auth/activity), their retention, and each event of an
 * account sent live to its sockets.
 */
@Module({
  imports: [AuditLogModule, DatabaseModule, RealtimeModule, SharedStoreModule, TypeOrmModule.forFeature([StoredEvent])],
  controllers: [ActivityController],
  providers: [AuditRetention, FailedSignInThrottle, LiveSecurityEvents],
})
export class AuditModule {}
