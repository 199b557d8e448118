import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** BIGINT milliseconds come back from MySQL as a string. */
const millis = { to: (value: number) => value, from: (value: string | number) => Number(value) };

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

  @Column({ name: 'created_at', type: 'bigint', transformer: millis })
  createdAt: number;
}
