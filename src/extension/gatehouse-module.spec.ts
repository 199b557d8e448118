import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Module } from '@nestjs/common';
import { GatehouseModule, schemaContributionOf } from './gatehouse-module';

class Thing {}
class Other {}
class CreateThings1765000000001 {
  async up(): Promise<void> {}
  async down(): Promise<void> {}
}
class CreateOthers1765000000002 {
  async up(): Promise<void> {}
  async down(): Promise<void> {}
}

@GatehouseModule({ entities: [Other], migrations: [CreateOthers1765000000002] })
class OthersModule {}

@GatehouseModule({ imports: [OthersModule], entities: [Thing], migrations: [CreateThings1765000000001] })
class ThingsModule {}

@Module({ imports: [ThingsModule, { module: OthersModule }] })
class TeamModule {}

describe('schemaContributionOf', () => {
  it('collects the tables of the given modules and of the modules they import, once each', () => {
    const { entities, migrations } = schemaContributionOf([TeamModule, OthersModule]);
    assert.deepEqual(new Set(entities), new Set([Thing, Other]));
    assert.deepEqual(new Set(migrations), new Set([CreateThings1765000000001, CreateOthers1765000000002]));
    assert.equal(entities.length, 2);
  });

  it('finds nothing in modules that declare no tables', () => {
    assert.deepEqual(schemaContributionOf([class Plain {}]), { entities: [], migrations: [] });
  });

  it('keeps the module metadata and adds what reading and writing need', () => {
    const imports = Reflect.getMetadata('imports', ThingsModule) as unknown[];
    assert.equal(imports[0], OthersModule);
    assert.equal(imports.length, 3, 'the own imports, the database module and the entities');
  });
});
