import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../src/database/data-source-options';
import { ENTITIES } from '../src/entities';
import { startApp } from './support/app';
import { serviceDataSource } from './support/data-source';
import { eachEngine } from './support/engines';

/**
 * The schema is made by the migrations alone, on every engine, and the entities describe it
 * exactly: `npm run migration:generate` on a freshly migrated database finds nothing to do, and
 * every migration reverts cleanly.
 */
eachEngine(__filename, (db) => {
  const dataSource = serviceDataSource(db);

  /** The statements migration:generate would write (its up queries). */
  const pending = async (): Promise<string[]> => {
    const sql = await dataSource().driver.createSchemaBuilder().log();
    return sql.upQueries.map((query) => query.query);
  };

  it('after the migrations, the entities ask for no schema change (migration:generate is empty)', async () => {
    const applied = await dataSource().runMigrations({ transaction: 'each' });
    assert.deepEqual(
      applied.map((m) => m.name),
      MIGRATIONS.map((m) => m.name),
    );
    assert.deepEqual(await pending(), []);
  });

  it('every migration reverts, leaving no table of ours, and runs again to the same schema', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource().undoLastMigration({ transaction: 'each' });
    assert.deepEqual(
      (await db().tables()).filter((table) => table !== 'migrations'),
      [],
    );
    await dataSource().runMigrations({ transaction: 'each' });
    // Sorted here: the engines' collations order `_` differently.
    assert.deepEqual((await db().tables()).sort(), [
      'accounts',
      'backup_codes',
      'migrations',
      'passkey_challenges',
      'passkey_users',
      'passkeys',
      'recovery_codes',
      'security_events',
      'tokens',
      'two_factor',
    ]);
    assert.deepEqual(await pending(), []);
  });

  it("the application gathers from its modules exactly the entities checked here (the command line's list)", async () => {
    const running = await startApp(db());
    try {
      const loaded = running.app
        .get(DataSource)
        .entityMetadatas.map((metadata) => (metadata.target as { name: string }).name);
      assert.deepEqual(loaded.sort(), ENTITIES.map((entity) => entity.name).sort());
    } finally {
      await running.close();
    }
  });
});
