import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMillis } from '../database/timestamp.transformer';

@Entity({ name: 'accounts' })
export class Account {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** NFKC + case fold of the login; unique, compared byte for byte (utf8mb4_bin on MySQL). */
  @Index('UQ_accounts_login_key', { unique: true })
  @Column({ name: 'login_key', type: 'varchar', length: 255 })
  loginKey: string;

  /** The login as it was registered, shown back to the user. */
  @Column({ name: 'login', type: 'varchar', length: 255 })
  login: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  /** Set while the owner has locked the account: no sign-in, no recovery. */
  @Column({ name: 'locked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  lockedAt: number | null;

  /**
   * Set while the account has two-factor sign-in on (its secret is in `two_factor`): read with
   * every token check, so that no request needs a query of its own to know.
   */
  @Column({ name: 'two_factor_enabled_at', type: 'bigint', nullable: true, transformer: epochMillis })
  twoFactorEnabledAt: number | null;
}
