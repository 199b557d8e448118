import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { AuditLogModule } from './audit-log.module';
import { AuditOwnerCommands } from './audit-owner-commands';
import { OwnerEventFlush } from './owner-event-flush';
import { OwnerEventRelay } from './owner-event-relay';

/**
 * The audit log in the owner's command line and MCP server: the `events` command, what waits
 * written every second, and, with REDIS_URL, each event a command records relayed to the
 * servers for the account's sockets.
 */
@Module({
  imports: [AuditLogModule, DatabaseModule, SharedStoreModule],
  providers: [AuditOwnerCommands, OwnerEventRelay, OwnerEventFlush],
  exports: [AuditOwnerCommands],
})
export class AuditOwnerModule {}
