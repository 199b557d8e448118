import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { epochMillis } from '../database/timestamp.transformer';

@Entity({ name: 'tokens' })
export class Token {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  /** Hex SHA-256 of the token. The token itself is never stored. */
  @Index('UQ_tokens_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Index('IDX_tokens_account_id')
  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_tokens_account_id' })
  account?: Account;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;

  @Index('IDX_tokens_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMillis })
  expiresAt: number;

  @Column({ name: 'last_used_at', type: 'bigint', nullable: true, transformer: epochMillis })
  lastUsedAt: number | null;

  /** The session's public id (see session-id.ts): what a client names a session by. */
  @Index('UQ_tokens_public_id', { unique: true })
  @Column({ name: 'public_id', type: 'varchar', length: 32 })
  publicId: string;

  /** A short label made from the User-Agent at sign-in, e.g. "Firefox on Linux"; null if unknown. */
  @Column({ name: 'client', type: 'varchar', length: 64, nullable: true })
  client: string | null;

  /** The client address at sign-in (section 9); null for tokens issued before it was recorded. */
  @Column({ name: 'address', type: 'varchar', length: 45, nullable: true })
  address: string | null;

  /**
   * How the session was signed in (`password`, `password+totp`, `registration`, ...); null for
   * tokens issued before it was recorded.
   */
  @Column({ name: 'method', type: 'varchar', length: 32, nullable: true })
  method: string | null;

  /** Whether the token satisfies TWO_FACTOR=required (issued by a two-factor sign-in, or lifted by enabling it). */
  @Column({ name: 'second_factor', type: 'boolean', default: false })
  secondFactor: boolean;

  /** `session` for a sign-in's token, `access` for an access token made for a program (section 21). */
  @Column({ name: 'kind', type: 'varchar', length: 16, default: 'session' })
  kind: TokenKind;

  /** An access token's name, given by its owner; null for a sign-in's token. */
  @Column({ name: 'name', type: 'varchar', length: 64, nullable: true })
  name: string | null;

  /** An access token's scopes, space-separated; null for a sign-in's token, which has every scope. */
  @Column({ name: 'scopes', type: 'varchar', length: 1024, nullable: true })
  scopes: string | null;
}

/** What a token row is: a sign-in's token, or an access token made for a program. */
export type TokenKind = 'session' | 'access';
