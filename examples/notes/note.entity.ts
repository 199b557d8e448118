import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMillis } from '../../src/extension';

/** A short text an account keeps; a public one is listed to anyone. */
@Entity({ name: 'notes' })
export class Note {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'account_id', type: 'integer' })
  accountId: number;

  @Column({ type: 'varchar', length: 500 })
  text: string;

  @Column({ name: 'is_public', type: 'boolean' })
  isPublic: boolean;

  /** Milliseconds since the epoch in a BIGINT, as Gatehouse stores its times. */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt: number;
}
