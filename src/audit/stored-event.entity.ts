import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMillis } from '../database/timestamp.transformer';

/**
 * One security event of the audit log (table `security_events`, CONTRACT section 20). The
 * account id is kept without a foreign key: events outlive the account, whose deletion sets
 * login, address and client to null on all of them.
 */
@Entity({ name: 'security_events' })
@Index('IDX_security_events_account', ['accountId', 'at', 'id'])
@Index('IDX_security_events_at', ['at', 'id'])
@Index('IDX_security_events_via', ['via', 'at'])
export class StoredEvent {
  /** Random, opaque (event-id.ts); with `at`, the order of events. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ type: 'varchar', length: 64 })
  event: string;

  /** Null for a failed sign-in or recovery that named no account. */
  @Column({ name: 'account_id', type: 'integer', nullable: true })
  accountId: number | null;

  /** The login as registered; null when no account had it, or once the account is deleted. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  login: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  address: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  client: string | null;

  /** Milliseconds since the epoch. */
  @Column({ type: 'bigint', transformer: epochMillis })
  at: number;

  /** `cli` or `mcp` for the owner's tools; null for the HTTP API. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  via: string | null;

  /** The event's other fields (cause, count, a module's details), as a JSON object; null when none. */
  @Column({ type: 'text', nullable: true })
  details: string | null;
}
