import { after, before } from 'node:test';
import { DataSource } from 'typeorm';
import { parseConfig } from '../../src/config/config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ENTITIES } from '../../src/entities';
import type { TestDatabase } from './engines';

/**
 * A TypeORM DataSource on the engine's test database, built from the service's own options
 * (the pool, the driver settings, the migrations), opened before the suite's tests and closed
 * after them: for specs that look below the HTTP surface, at the pool or the schema.
 */
export function serviceDataSource(db: () => TestDatabase): () => DataSource {
  let dataSource: DataSource | undefined;
  before(async () => {
    const options = dataSourceOptions(parseConfig({ DATABASE_URL: db().url }).database, ENTITIES);
    dataSource = new DataSource({ ...options, logging: false });
    await dataSource.initialize();
  });
  after(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
  });
  return () => {
    if (!dataSource) throw new Error('the data source is opened in the suite’s before hook');
    return dataSource;
  };
}
