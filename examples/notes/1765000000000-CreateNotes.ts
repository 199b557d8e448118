import { type MigrationInterface, type QueryRunner, Table, TableForeignKey, TableIndex } from 'typeorm';

/**
 * The notes table, written with the QueryRunner table API so that it runs unchanged on every
 * engine Gatehouse supports. Its timestamp is later than the migration that creates `accounts`,
 * so the foreign key has its table. Deleting an account deletes its notes.
 */
export class CreateNotes1765000000000 implements MigrationInterface {
  name = 'CreateNotes1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'notes',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'account_id', type: 'integer' },
          { name: 'text', type: 'varchar', length: '500' },
          { name: 'is_public', type: 'boolean' },
          { name: 'created_at', type: 'bigint' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'FK_notes_account_id',
            columnNames: ['account_id'],
            referencedTableName: 'accounts',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'IDX_notes_account_id', columnNames: ['account_id'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('notes');
  }
}
