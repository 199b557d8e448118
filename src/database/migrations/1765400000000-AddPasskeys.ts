import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * What passkeys need (CONTRACT section 19): the credentials, each account's WebAuthn user handle,
 * and the challenges waiting for a response (when they are not in Redis). An account's passkeys
 * and handle go with it (ON DELETE CASCADE). Challenges are kept as SHA-256 hashes only.
 * (Self-contained on purpose: a migration must not change when application code does.)
 */
export class AddPasskeys1765400000000 implements MigrationInterface {
  name = 'AddPasskeys1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    // Byte for byte on MySQL: ids and hashes are case-sensitive, and only Gatehouse decides equality.
    const text = (length: number, nullable: boolean) => ({
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    const long = {
      type: 'text',
      isNullable: false,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    };
    const byAccount = (table: string) =>
      new TableForeignKey({
        name: `FK_${table}_account_id`,
        columnNames: ['account_id'],
        referencedTableName: 'accounts',
        referencedColumnNames: ['id'],
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      });

    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'public_id', ...text(32, false) },
          { name: 'account_id', type: 'integer' },
          { name: 'credential_hash', ...text(64, false) },
          { name: 'credential_id', ...long },
          { name: 'public_key', ...long },
          { name: 'counter', type: 'bigint' },
          { name: 'transports', ...text(255, true) },
          { name: 'name', ...text(255, false) },
          { name: 'created_at', type: 'bigint' },
          { name: 'last_used_at', type: 'bigint', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'UQ_passkeys_public_id', columnNames: ['public_id'], isUnique: true }),
          new TableIndex({ name: 'IDX_passkeys_account_id', columnNames: ['account_id'] }),
          new TableIndex({ name: 'UQ_passkeys_credential_hash', columnNames: ['credential_hash'], isUnique: true }),
        ],
        foreignKeys: [byAccount('passkeys')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'passkey_users',
        columns: [
          { name: 'account_id', type: 'integer', isPrimary: true },
          { name: 'user_handle', ...text(64, false) },
        ],
        indices: [
          new TableIndex({ name: 'UQ_passkey_users_user_handle', columnNames: ['user_handle'], isUnique: true }),
        ],
        foreignKeys: [byAccount('passkey_users')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'passkey_challenges',
        columns: [
          { name: 'challenge_hash', ...text(64, false), isPrimary: true },
          { name: 'purpose', ...text(16, false) },
          { name: 'account_id', type: 'integer', isNullable: true },
          { name: 'expires_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_passkey_challenges_expires_at', columnNames: ['expires_at'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('passkey_challenges');
    await queryRunner.dropTable('passkey_users');
    await queryRunner.dropTable('passkeys');
  }
}
