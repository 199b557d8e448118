import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config';
import { dataSourceOptions } from './src/database/data-source-options';
import { ENTITIES } from './src/entities';

/** The DataSource of the TypeORM command line: same options and entities as the application's. */
export default new DataSource(dataSourceOptions(loadConfig().database, ENTITIES));
