import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { epochMillis } from '../database/timestamp.transformer';

/**
 * An account's authenticator secrets, each encrypted (secret-box.ts): the one in use while
 * two-factor is on (`accounts.two_factor_enabled_at` says whether it is), and one set up but not
 * yet confirmed. At most one row per account.
 */
@Entity({ name: 'two_factor' })
export class TwoFactor {
  @PrimaryColumn({ name: 'account_id', type: 'integer' })
  accountId: number;

  @OneToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_two_factor_account_id' })
  account?: Account;

  /** The secret in use; null while two-factor is off. */
  @Column({ name: 'secret', type: 'varchar', length: 255, nullable: true })
  secret: string | null;

  /** A secret set up and not yet confirmed by `2fa/enable`, until `pendingExpiresAt`. */
  @Column({ name: 'pending_secret', type: 'varchar', length: 255, nullable: true })
  pendingSecret: string | null;

  @Column({ name: 'pending_expires_at', type: 'bigint', nullable: true, transformer: epochMillis })
  pendingExpiresAt: number | null;

  /** The last 30-second step whose code was accepted: a code is good only for a later one. */
  @Column({ name: 'last_step', type: 'bigint', nullable: true, transformer: epochMillis })
  lastStep: number | null;
}
