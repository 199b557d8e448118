import type { Type } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * The reading half of a TypeORM Repository. On SQLite a write on an injected repository would
 * run inside whatever transaction another request has open, so a module's writes go through
 * TransactionRunner.run and its injected repositories are typed without save, update or delete.
 */
export type ReadRepository<T extends ObjectLiteral> = Pick<
  Repository<T>,
  | 'find'
  | 'findBy'
  | 'findOne'
  | 'findOneBy'
  | 'findOneOrFail'
  | 'findOneByOrFail'
  | 'findAndCount'
  | 'findAndCountBy'
  | 'count'
  | 'countBy'
  | 'exists'
  | 'existsBy'
  | 'sum'
  | 'average'
  | 'minimum'
  | 'maximum'
>;

/** Injects an entity's repository, for reads: `@InjectReadRepository(Note) notes: ReadRepository<Note>`. */
export const InjectReadRepository = (entity: Type): ParameterDecorator & PropertyDecorator =>
  InjectRepository(entity) as ParameterDecorator & PropertyDecorator;
