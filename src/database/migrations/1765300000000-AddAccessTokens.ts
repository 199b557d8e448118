import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * Access tokens for programs (CONTRACT section 21) live in the tokens table beside sign-in
 * tokens, so that the session cache, the revocation bus, the socket drop and every revoke-all
 * path treat them alike. `kind` tells them apart (`session` for every existing row), `name` is
 * the owner's label, and `scopes` the space-separated scopes granted (null: a sign-in token,
 * which has every scope).
 * (Self-contained on purpose: a migration must not change when application code does.)
 */
export class AddAccessTokens1765300000000 implements MigrationInterface {
  name = 'AddAccessTokens1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const mysql = ['mysql', 'mariadb'].includes(queryRunner.connection.options.type);
    const text = (length: number, nullable: boolean) => ({
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(mysql ? { charset: 'utf8mb4', collation: 'utf8mb4_bin' } : {}),
    });
    await queryRunner.addColumns('tokens', [
      new TableColumn({ name: 'kind', ...text(16, false), default: "'session'" }),
      new TableColumn({ name: 'name', ...text(64, true) }),
      new TableColumn({ name: 'scopes', ...text(1024, true) }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('tokens', ['kind', 'name', 'scopes']);
  }
}
