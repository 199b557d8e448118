import { randomBytes } from 'node:crypto';
import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * What self-service sessions, account locks and recovery codes need. Tokens issued before it
 * get a fresh public id here and keep working; their client and address stay null (unknown).
 * (Self-contained on purpose: a migration must not change when application code does.)
 * Written with the QueryRunner table API so that one migration serves every engine.
 */
export class AddSessionsLocksAndRecoveryCodes1764600000000 implements MigrationInterface {
  name = 'AddSessionsLocksAndRecoveryCodes1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    const text = (length: number, nullable: boolean) => ({
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });

    // Added nullable, filled, then made NOT NULL: existing rows need a value first.
    await queryRunner.addColumns('tokens', [
      new TableColumn({ name: 'public_id', ...text(32, true) }),
      new TableColumn({ name: 'client', ...text(64, true) }),
      new TableColumn({ name: 'address', ...text(45, true) }),
    ]);
    const rows = (await queryRunner.query('SELECT id FROM tokens')) as { id: number | string }[];
    for (const row of rows) {
      await queryRunner.query(
        `UPDATE tokens SET public_id = ${this.placeholder(queryRunner, 1)} WHERE id = ${this.placeholder(queryRunner, 2)}`,
        [randomBytes(16).toString('base64url'), row.id],
      );
    }
    await queryRunner.changeColumn('tokens', 'public_id', new TableColumn({ name: 'public_id', ...text(32, false) }));
    await queryRunner.createIndex(
      'tokens',
      new TableIndex({ name: 'UQ_tokens_public_id', columnNames: ['public_id'], isUnique: true }),
    );

    await queryRunner.addColumn('accounts', new TableColumn({ name: 'locked_at', type: 'bigint', isNullable: true }));

    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          // One code per account: a new one replaces the old.
          { name: 'account_id', type: 'integer', isPrimary: true },
          { name: 'code_hash', ...text(64, false) },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_recovery_codes_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropColumn('accounts', 'locked_at');
    await queryRunner.dropIndex('tokens', 'UQ_tokens_public_id');
    await queryRunner.dropColumns('tokens', ['public_id', 'client', 'address']);
  }

  /** The driver's positional placeholder: `$n` on PostgreSQL, `?` elsewhere. */
  private placeholder(queryRunner: QueryRunner, n = 1): string {
    return queryRunner.connection.options.type === 'postgres' ? `$${n}` : '?';
  }
}
