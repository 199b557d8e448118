import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DatabaseConnector } from './database-connector';
import { GatedDataSource, limitConnectionWait } from './connection-guards';
import { dataSourceOptions, POOL_LIMITS } from './data-source-options';
import { SCHEMA_CONTRIBUTIONS, type SchemaContribution, withContributions } from './schema-contributions';
import { TransactionRunner } from './transaction-runner';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG, { token: SCHEMA_CONTRIBUTIONS, optional: true }],
      useFactory: (config: AppConfig, contribution?: SchemaContribution) => ({
        // No entity here: each feature module registers its own (TypeOrmModule.forFeature) and
        // autoLoadEntities gathers them, so the database folder depends on no feature folder.
        ...withContributions(dataSourceOptions(config.database, []), contribution),
        autoLoadEntities: true,
        // DatabaseConnector opens it, so that start-up never waits on an absent database.
        manualInitialization: true,
      }),
      dataSourceFactory: async (options?: DataSourceOptions) =>
        limitConnectionWait(new GatedDataSource(options!), {
          acquireTimeoutMs: POOL_LIMITS.acquireTimeoutMs,
          queueLimit: POOL_LIMITS.poolQueueLimit,
        }),
    }),
  ],
  providers: [DatabaseConnector, TransactionRunner],
  exports: [DatabaseConnector, TransactionRunner],
})
export class DatabaseModule {}
