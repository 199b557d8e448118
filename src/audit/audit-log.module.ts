import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SecurityEventStore } from '../events/security-event-store';
import { AuditQueries } from './audit-queries';
import { AuditWriter } from './audit-writer';
import { StoredEvent } from './stored-event.entity';

/**
 * The stored audit log, wherever security events are recorded (the server, the owner's command
 * line and MCP server): global, so that SecurityEvents (events/, below every feature) finds the
 * SecurityEventStore it writes through. Global modules are also the last to stop, so the events
 * still waiting are written after the server has drained its requests and before the database
 * closes.
 */
@Global()
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([StoredEvent])],
  providers: [AuditWriter, { provide: SecurityEventStore, useExisting: AuditWriter }, AuditQueries],
  exports: [AuditWriter, SecurityEventStore, AuditQueries],
})
export class AuditLogModule {}
