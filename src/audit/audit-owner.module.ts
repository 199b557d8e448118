import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { AuditLogModule } from './audit-log.module';
import { AuditOwnerCommands } from './audit-owner-commands';
import { OwnerEventRelay } from './owner-event-relay';

/**
 * The audit log in the owner's command line and MCP server: the `events` command, and, with
 * REDIS_URL, each event a command records relayed to the servers for the account's sockets.
 */
@Module({
  imports: [AuditLogModule, DatabaseModule, SharedStoreModule],
  providers: [AuditOwnerCommands, OwnerEventRelay],
  exports: [AuditOwnerCommands],
})
export class AuditOwnerModule {}
