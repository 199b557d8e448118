import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { AuditWriter } from './audit-writer';
import type { LiveEvent } from './stored-event';

/** The Redis channel (under REDIS_PREFIX) on which the owner's tools tell the servers of their events. */
export const OWNER_EVENTS_CHANNEL = 'security-events';

/**
 * In the owner's command line and MCP server, with REDIS_URL: each event of an account the
 * command recorded is published, once committed, for every server to send to the account's
 * sockets at once. Without Redis the servers find those events in the table (LiveSecurityEvents
 * polls for rows with `via`), within TOKEN_SWEEP_INTERVAL. A failed publish only loses the speed.
 */
@Injectable()
export class OwnerEventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly writer: AuditWriter,
    @Inject(SHARED_STORE) private readonly shared: SharedStore | null,
  ) {}

  onApplicationBootstrap(): void {
    if (this.shared) this.writer.onRecorded((event) => this.publish(this.shared!, event));
  }

  /** A command ends right after its work: what it published must leave before Redis closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending);
  }

  private publish(shared: SharedStore, event: LiveEvent): void {
    const sent = shared.publish(OWNER_EVENTS_CHANNEL, JSON.stringify(event)).catch(() => undefined);
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }
}
