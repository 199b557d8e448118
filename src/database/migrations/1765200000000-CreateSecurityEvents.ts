import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The audit log: every security event, kept after its log line has rotated away. No foreign key
 * to accounts: an account's events outlive it (with its login, addresses and client labels
 * erased). Indexed for the reads it serves: an account's events newest first (the user's
 * activity, the owner's query by login), all events newest first and the oldest first for
 * retention, and the owner's tools' events that servers relay to sockets (`via`).
 * (Self-contained on purpose: a migration must not change when application code does.)
 */
export class CreateSecurityEvents1765200000000 implements MigrationInterface {
  name = 'CreateSecurityEvents1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // Byte for byte on MySQL: the ids are case-sensitive base64url, and only Gatehouse decides
    // what is equal.
    const text = (length: number, nullable: boolean) => ({
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });

    await queryRunner.createTable(
      new Table({
        name: 'security_events',
        columns: [
          { name: 'id', ...text(32, false), isPrimary: true },
          { name: 'event', ...text(64, false) },
          { name: 'account_id', type: 'integer', isNullable: true },
          { name: 'login', ...text(255, true) },
          { name: 'address', ...text(45, true) },
          { name: 'client', ...text(64, true) },
          { name: 'at', type: 'bigint' },
          { name: 'via', ...text(8, true) },
          { name: 'details', type: 'text', isNullable: true, ...(mysql ? { charset: 'utf8mb4' } : {}) },
        ],
        indices: [
          new TableIndex({ name: 'IDX_security_events_account', columnNames: ['account_id', 'at', 'id'] }),
          new TableIndex({ name: 'IDX_security_events_at', columnNames: ['at', 'id'] }),
          new TableIndex({ name: 'IDX_security_events_via', columnNames: ['via', 'at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('security_events');
  }
}
