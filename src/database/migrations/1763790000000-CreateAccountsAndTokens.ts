import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/** Written with the QueryRunner table API so that one migration serves MySQL and SQLite. */
export class CreateAccountsAndTokens1763790000000 implements MigrationInterface {
  name = 'CreateAccountsAndTokens1763790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // On MySQL the server's default collation folds case and accents and ignores trailing
    // spaces; the lookup key must compare byte for byte so only our normalisation decides.
    const text = (length: number, binary = false) => ({
      type: 'varchar',
      length: String(length),
      ...(mysql ? { charset: 'utf8mb4', collation: binary ? 'utf8mb4_bin' : 'utf8mb4_unicode_ci' } : {}),
    });
    const id = { type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };

    await queryRunner.createTable(
      new Table({
        name: 'accounts',
        columns: [
          { name: 'id', ...id },
          { name: 'login_key', ...text(255, true) },
          { name: 'login', ...text(255, true) },
          { name: 'password_hash', ...text(255, true) },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'UQ_accounts_login_key', columnNames: ['login_key'], isUnique: true })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'tokens',
        columns: [
          { name: 'id', ...id },
          { name: 'token_hash', ...text(64, true) },
          { name: 'account_id', type: 'integer' },
          { name: 'created_at', type: 'bigint' },
          { name: 'expires_at', type: 'bigint' },
          { name: 'last_used_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'UQ_tokens_token_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'IDX_tokens_account_id', columnNames: ['account_id'] }),
          new TableIndex({ name: 'IDX_tokens_expires_at', columnNames: ['expires_at'] }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_tokens_account_id',
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
    await queryRunner.dropTable('tokens');
    await queryRunner.dropTable('accounts');
  }
}
