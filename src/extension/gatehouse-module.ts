import { type DynamicModule, type ForwardReference, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import type { SchemaContribution } from '../database/schema-contributions';

export interface GatehouseModuleMetadata extends ModuleMetadata {
  /** The module's own TypeORM entities; injectable for reads with @InjectReadRepository. */
  entities?: Type[];
  /**
   * The migrations that create the entities' tables, named `<PascalCase><13-digit timestamp>`.
   * They run with Gatehouse's at start-up, every pending one in timestamp order.
   */
  migrations?: Type[];
}

const SCHEMA = Symbol('gatehouse:schema-contribution');
const TIMESTAMPED = /\d{13}$/;

/**
 * A Nest module added to Gatehouse: @Module plus its tables. Its entities and migrations join
 * Gatehouse's DataSource without editing Gatehouse's lists, and it may inject TransactionRunner
 * (for every write) and its entities' repositories (InjectReadRepository, for reads).
 */
export const GatehouseModule = ({
  entities = [],
  migrations = [],
  ...metadata
}: GatehouseModuleMetadata): ClassDecorator => {
  for (const migration of migrations) {
    const name = (new migration() as { name?: string }).name ?? migration.name;
    if (!TIMESTAMPED.test(name)) throw new Error(`migration ${name} must end with a 13-digit timestamp`);
  }
  return (target) => {
    Module({
      ...metadata,
      imports: [
        ...(metadata.imports ?? []),
        DatabaseModule,
        ...(entities.length > 0 ? [TypeOrmModule.forFeature(entities)] : []),
      ],
    })(target);
    Reflect.defineMetadata(SCHEMA, { entities, migrations } satisfies SchemaContribution, target);
  };
};

type Imported = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/** The entities and migrations of the given modules and of every module they import, once each. */
export function schemaContributionOf(modules: Imported[]): SchemaContribution {
  const entities = new Set<Type>();
  const migrations = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (module: Imported): void => {
    const type = typeof module === 'function' ? module : 'module' in module ? module.module : undefined;
    if (!type || seen.has(type)) return;
    seen.add(type);
    const own = Reflect.getMetadata(SCHEMA, type) as SchemaContribution | undefined;
    own?.entities.forEach((e) => entities.add(e));
    own?.migrations.forEach((m) => migrations.add(m));
    const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []) as Imported[];
    imports.forEach(visit);
    if (typeof module === 'object' && 'imports' in module) (module.imports ?? []).forEach(visit);
  };
  modules.forEach(visit);
  return { entities: [...entities], migrations: [...migrations] };
}
