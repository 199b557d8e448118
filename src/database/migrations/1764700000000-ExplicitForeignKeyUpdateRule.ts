import { type MigrationInterface, type QueryRunner, TableForeignKey } from 'typeorm';

const FOREIGN_KEYS = [
  { table: 'tokens', name: 'FK_tokens_account_id' },
  { table: 'recovery_codes', name: 'FK_recovery_codes_account_id' },
];

/**
 * The earlier migrations created their foreign keys without an ON UPDATE rule. PostgreSQL and
 * SQLite then report NO ACTION, as the entities declare, but MariaDB reports RESTRICT, so that
 * `migration:generate` kept proposing to re-create both keys there. No entity decorator can
 * match both reports; stating the rule makes every engine agree. The rules mean the same here
 * (account ids never change). On other engines this migration changes nothing.
 */
export class ExplicitForeignKeyUpdateRule1764700000000 implements MigrationInterface {
  name = 'ExplicitForeignKeyUpdateRule1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await this.recreate(queryRunner, 'NO ACTION');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.recreate(queryRunner, undefined);
  }

  private async recreate(queryRunner: QueryRunner, onUpdate: 'NO ACTION' | undefined): Promise<void> {
    const type = queryRunner.connection.options.type;
    if (type !== 'mysql' && type !== 'mariadb') return;
    for (const { table, name } of FOREIGN_KEYS) {
      await queryRunner.dropForeignKey(table, name);
      await queryRunner.createForeignKey(
        table,
        new TableForeignKey({
          name,
          columnNames: ['account_id'],
          referencedTableName: 'accounts',
          referencedColumnNames: ['id'],
          onDelete: 'CASCADE',
          onUpdate,
        }),
      );
    }
  }
}
