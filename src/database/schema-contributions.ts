import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import type { DataSourceOptions, MixedList } from 'typeorm';

/** Tables that modules added to Gatehouse bring along: their entities and the migrations that create them. */
export interface SchemaContribution {
  entities: Type[];
  migrations: Type[];
}

export const SCHEMA_CONTRIBUTIONS = Symbol('SCHEMA_CONTRIBUTIONS');

/**
 * Hands the added modules' entities and migrations to DatabaseModule, so that Gatehouse's own
 * list of migrations (data-source-options.ts) never names them. Absent (the command line),
 * nothing is added.
 */
@Global()
@Module({})
export class SchemaContributionsModule {
  static forRoot(contribution: SchemaContribution): DynamicModule {
    return {
      module: SchemaContributionsModule,
      providers: [{ provide: SCHEMA_CONTRIBUTIONS, useValue: contribution }],
      exports: [SCHEMA_CONTRIBUTIONS],
    };
  }
}

/**
 * The DataSource options with the contributions appended. TypeORM runs every pending migration
 * in timestamp order, so a contributed migration named after Gatehouse's can rely on its tables.
 */
export function withContributions(options: DataSourceOptions, contribution?: SchemaContribution): DataSourceOptions {
  if (!contribution) return options;
  const list = (value: MixedList<unknown> | undefined): unknown[] =>
    Array.isArray(value) ? value : value ? Object.values(value) : [];
  return {
    ...options,
    entities: [...list(options.entities), ...contribution.entities] as DataSourceOptions['entities'],
    migrations: [...list(options.migrations), ...contribution.migrations] as DataSourceOptions['migrations'],
  };
}
