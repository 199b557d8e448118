import { type MigrationInterface, type QueryRunner, Table, TableColumn, TableForeignKey, TableIndex } from 'typeorm';

/**
 * What two-factor sign-in needs (CONTRACT section 18). Existing accounts have it off; existing
 * tokens keep working with no method recorded (sessions show `null`) and, not having been issued
 * by a two-factor sign-in, count as restricted under TWO_FACTOR=required.
 * (Self-contained on purpose: a migration must not change when application code does.)
 */
export class AddTwoFactor1765100000000 implements MigrationInterface {
  name = 'AddTwoFactor1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // false as each engine's schema reads it back (TypeORM compares the entity's default so).
    const no = queryRunner.connection.options.type === 'postgres' ? 'false' : '0';
    const text = (length: number, nullable: boolean) => ({
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    const byAccount = (table: string) =>
      new TableForeignKey({
        name: `FK_${table}_account_id`,
        columnNames: ['account_id'],
        referencedTableName: 'accounts',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      });

    // Read with every token check (the token's join): whether the account has two-factor on.
    await queryRunner.addColumn(
      'accounts',
      new TableColumn({ name: 'two_factor_enabled_at', type: 'bigint', isNullable: true }),
    );
    await queryRunner.addColumns('tokens', [
      new TableColumn({ name: 'method', ...text(32, true) }),
      new TableColumn({ name: 'second_factor', type: 'boolean', isNullable: false, default: no }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'two_factor',
        columns: [
          { name: 'account_id', type: 'integer', isPrimary: true },
          // Encrypted (AES-256-GCM under a key derived from SECRETS_KEY), never the secret itself.
          { name: 'secret', ...text(255, true) },
          { name: 'pending_secret', ...text(255, true) },
          { name: 'pending_expires_at', type: 'bigint', isNullable: true },
          { name: 'last_step', type: 'bigint', isNullable: true },
        ],
        foreignKeys: [byAccount('two_factor')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'backup_codes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'account_id', type: 'integer' },
          // Hex HMAC-SHA256 under a key derived from SECRETS_KEY: a copy of the table alone cannot be searched.
          { name: 'code_hash', ...text(64, false) },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_backup_codes_account_id', columnNames: ['account_id'] })],
        foreignKeys: [byAccount('backup_codes')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('backup_codes');
    await queryRunner.dropTable('two_factor');
    await queryRunner.dropColumns('tokens', ['method', 'second_factor']);
    await queryRunner.dropColumn('accounts', 'two_factor_enabled_at');
  }
}
