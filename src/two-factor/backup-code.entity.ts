import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Account } from '../accounts/account.entity';
import { epochMillis } from '../database/timestamp.transformer';

/** One unused backup code of an account, kept only as a keyed hash (backup-codes.ts); deleted when used. */
@Entity({ name: 'backup_codes' })
export class BackupCode {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Index('IDX_backup_codes_account_id')
  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id', foreignKeyConstraintName: 'FK_backup_codes_account_id' })
  account?: Account;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}
