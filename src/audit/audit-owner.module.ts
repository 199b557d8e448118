import { Module } from '@nestjs/common';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { AuditLogModule } from './audit-log.module';
import { OwnerEventRelay } from './owner-event-relay';

/**
 * The audit log in the owner's command line and MCP server: with REDIS_URL, each event a
 * command records relayed to the servers for the account's sockets.
 */
@Module({
  imports: [AuditLogModule, SharedStoreModule],
  providers: [OwnerEventRelay],
})
export class AuditOwnerModule {}
