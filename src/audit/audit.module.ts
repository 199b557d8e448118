import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { ActivityController } from './activity.controller';
import { AuditLogModule } from './audit-log.module';
import { AuditRetention } from './audit-retention';
import { StoredEvent } from './stored-event.entity';

/**
 * The audit log in the server (CONTRACT section 20): the stored events (AuditLogModule), the
 * account's own view of them (GET /api/auth/activity), and their retention.
 */
@Module({
  imports: [AuditLogModule, DatabaseModule, TypeOrmModule.forFeature([StoredEvent])],
  controllers: [ActivityController],
  providers: [AuditRetention],
})
export class AuditModule {}
