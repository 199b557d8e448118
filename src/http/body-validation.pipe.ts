import { type ArgumentMetadata, BadRequestException, HttpException, Injectable, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** Bodies here are flat objects of strings; anything nested deeper than this is refused unread. */
const MAX_DEPTH = 8;
/** Keys that would reach an object's prototype if copied onto a DTO instance. */
const POISONED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const BUILT_IN_TYPES: ReadonlySet<unknown> = new Set([
  String,
  Number,
  Boolean,
  Object,
  Array,
  Symbol,
  BigInt,
  Function,
]);

function isDtoClass(metatype: ArgumentMetadata['metatype']): boolean {
  return typeof metatype === 'function' && !BUILT_IN_TYPES.has(metatype);
}

function messages(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}),
    ...messages(e.children ?? [], `${prefix}${e.property}.`),
  ]);
}

/**
 * The global pipe: every body must be a JSON object with exactly the DTO's fields, of the
 * DTO's types. Checks that are cheap and that class-transformer would trip over (an array or a
 * scalar for a body, deep nesting, prototype keys) come first; any failure is a 400 naming the
 * field, never a 500.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ') || 'invalid body'),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only a DTO class describes an object; a handler that asks for a plain string or number
    // (a socket.io message body, say) gets the plain value, as Nest's own pipe would give it.
    if (metadata.type !== 'body' || !isDtoClass(metadata.metatype)) return super.transform(value, metadata);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new BadRequestException('the body must be a JSON object');
    }
    const poisoned = Object.keys(value).find((key) => POISONED_KEYS.has(key));
    if (poisoned) throw new BadRequestException(`property ${poisoned} should not exist`);
    if (depthExceeds(value, MAX_DEPTH)) throw new BadRequestException('the body is nested too deeply');
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof HttpException) throw error;
      throw new BadRequestException('invalid body');
    }
  }
}
