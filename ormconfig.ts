import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/config';
import { dataSourceOptions } from './src/database/data-source-options';

/** The DataSource of the TypeORM command line: same options as the application's. */
export default new DataSource(dataSourceOptions(loadConfig().database));
