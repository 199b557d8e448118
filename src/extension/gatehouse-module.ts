import {
  type DynamicModule,
  type ForwardReference,
  Module,
  type ModuleMetadata,
  type Provider,
  type Type,
} from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ConfigNamespaceClass } from '../config/config-namespace';
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
  /**
   * The module's configuration namespaces (configNamespace): read from Gatehouse's environment
   * and checked before the start, injectable by their class anywhere.
   */
  config?: ConfigNamespaceClass[];
  /**
   * The security events the module records (SecurityEvents.record / recordIn) and may listen
   * to, e.g. `note.published`: written and delivered like Gatehouse's. A name of Gatehouse's,
   * or one declared twice, stops the start.
   */
  events?: string[];
}

/** What a module brings besides @Module's own metadata. */
interface Contribution extends SchemaContribution {
  config: ConfigNamespaceClass[];
  events: string[];
}

const CONTRIBUTION = Symbol('gatehouse:contribution');
const TIMESTAMPED = /\d{13}$/;

/**
 * A Nest module added to Gatehouse: @Module plus its tables, its configuration and its events.
 * Its entities and migrations join Gatehouse's DataSource without editing Gatehouse's lists,
 * and it may inject TransactionRunner (for every write) and its entities' repositories
 * (InjectReadRepository, for reads).
 */
export const GatehouseModule = ({
  entities = [],
  migrations = [],
  config = [],
  events = [],
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
    Reflect.defineMetadata(CONTRIBUTION, { entities, migrations, config, events } satisfies Contribution, target);
  };
};

type Imported = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

/** Every module among the given ones and those they import, once each, with what each contributes. */
function walk(modules: Imported[]): { type: Type; own?: Contribution; providers: Provider[] }[] {
  const found: { type: Type; own?: Contribution; providers: Provider[] }[] = [];
  const seen = new Set<unknown>();
  const visit = (module: Imported): void => {
    const type = typeof module === 'function' ? module : 'module' in module ? module.module : undefined;
    if (!type || seen.has(type)) return;
    seen.add(type);
    const providers = [
      ...((Reflect.getMetadata(MODULE_METADATA.PROVIDERS, type) ?? []) as Provider[]),
      ...(typeof module === 'object' && 'providers' in module ? (module.providers ?? []) : []),
    ];
    found.push({ type, own: Reflect.getMetadata(CONTRIBUTION, type) as Contribution | undefined, providers });
    const imports = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) ?? []) as Imported[];
    imports.forEach(visit);
    if (typeof module === 'object' && 'imports' in module) (module.imports ?? []).forEach(visit);
  };
  modules.forEach(visit);
  return found;
}

/** The entities and migrations of the given modules and of every module they import, once each. */
export function schemaContributionOf(modules: Imported[]): SchemaContribution {
  const entities = new Set<Type>();
  const migrations = new Set<Type>();
  for (const { own } of walk(modules)) {
    own?.entities.forEach((e) => entities.add(e));
    own?.migrations.forEach((m) => migrations.add(m));
  }
  return { entities: [...entities], migrations: [...migrations] };
}

/** The configuration namespaces the modules declare, once each. */
export function configNamespacesOf(modules: Imported[]): ConfigNamespaceClass[] {
  return [...new Set(walk(modules).flatMap(({ own }) => own?.config ?? []))];
}

/** The security event names the modules declare (a name declared by two modules appears twice, and is refused). */
export function eventNamesOf(modules: Imported[]): string[] {
  return walk(modules).flatMap(({ own }) => own?.events ?? []);
}

/** The provider classes of the modules (where their owner commands are declared), once each. */
export function providerClassesOf(modules: Imported[]): Type[] {
  const classes = walk(modules).flatMap(({ providers }) =>
    providers.flatMap((provider) =>
      typeof provider === 'function' ? [provider] : 'useClass' in provider ? [provider.useClass] : [],
    ),
  );
  return [...new Set(classes)];
}
