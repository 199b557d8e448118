import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { epochMillis } from '../database/timestamp.transformer';

/**
 * A registered passkey: its credential's public key (COSE, base64url) and signature counter. Found
 * at sign-in by a SHA-256 of the credential id (credential ids are up to 1,023 bytes, too long for a
 * unique index on every engine); shown to its account by an opaque public id.
 */
@Entity({ name: 'passkeys' })
export class Passkey {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Index('UQ_passkeys_public_id', { unique: true })
  @Column({ name: 'public_id', type: 'varchar', length: 32 })
  publicId: string;

  @Index('IDX_passkeys_account_id')
  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_passkeys_account_id' })
  account?: Account;

  /** Hex SHA-256 of the credential id (its raw bytes). */
  @Index('UQ_passkeys_credential_hash', { unique: true })
  @Column({ name: 'credential_hash', type: 'varchar', length: 64 })
  credentialHash: string;

  /** The credential id, base64url, as the browser names it (excludeCredentials). */
  @Column({ name: 'credential_id', type: 'text' })
  credentialId: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey: string;

  @Column({ name: 'counter', type: 'bigint', transformer: epochMillis })
  counter: number;

  /** The authenticator's transports, comma-separated, as it reported them at registration. */
  @Column({ name: 'transports', type: 'varchar', length: 255, nullable: true })
  transports: string | null;

  @Column({ name: 'name', type: 'varchar', length: 255 })
  name: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMillis })
  lastUsedAt: number | null;

  /** The account's user handle, when read with it (PasskeyStore.forSignIn); no column of this table. */
  user?: PasskeyUser | null;
}

/**
 * The WebAuthn user handle of an account (`user.id`, `userHandle`): 32 random bytes, base64url,
 * made the first time the account asks to register a passkey. Never the account id or the login,
 * so a passkey tells an authenticator's other relying parties nothing about the account.
 */
@Entity({ name: 'passkey_users' })
export class PasskeyUser {
  @Column({ name: 'account_id', type: 'integer', primary: true })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_passkey_users_account_id' })
  account?: Account;

  @Index('UQ_passkey_users_user_handle', { unique: true })
  @Column({ name: 'user_handle', type: 'varchar', length: 64 })
  userHandle: string;
}

/**
 * A challenge waiting for its response, when REDIS_URL is not set: only its SHA-256 is kept, with
 * what it is for (`register`: an account's new passkey; `login`: any account's sign-in) and until
 * when. Deleted by the first response that presents it, or by the sweep once expired.
 */
@Entity({ name: 'passkey_challenges' })
export class PasskeyChallenge {
  @Column({ name: 'challenge_hash', type: 'varchar', length: 64, primary: true })
  challengeHash: string;

  @Column({ name: 'purpose', type: 'varchar', length: 16 })
  purpose: string;

  @Column({ name: 'account_id', type: 'integer', nullable: true })
  accountId: number | null;

  @Index('IDX_passkey_challenges_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt: number;
}
