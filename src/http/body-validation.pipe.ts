import { type ArgumentMetadata, BadRequestException, HttpException, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, type ValidationError, ValidationTypes } from 'class-validator';

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

const PLAIN_STRING_BODY = Symbol('gatehouse:plain-string-body');

/** The fields of a body that @PlainStringBody marks: each a string, some optional. */
interface StringFields {
  required: readonly string[];
  all: ReadonlySet<string>;
}

/**
 * Marks a body DTO whose fields are all `@IsString()`, optional ones under a
 * `@ValidateIf((body) => body.x !== undefined)` and nothing else, so that a valid body is
 * accepted without class-transformer and class-validator: a few property checks instead of some
 * tens of microseconds, for a route on the hot path (token introspection). A body that fails the
 * quick check goes through the full validation, which answers it with its usual 400. The field
 * list is read from the DTO's class-validator decorators once; a DTO with any other constraint
 * is refused at its first request rather than checked loosely.
 */
export const PlainStringBody = (): ClassDecorator => (target) => {
  Reflect.defineMetadata(PLAIN_STRING_BODY, true, target);
};

const stringFields = new WeakMap<object, StringFields>();

function stringFieldsOf(dto: new () => unknown): StringFields {
  let fields = stringFields.get(dto);
  if (fields) return fields;
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const all = new Set<string>();
  const optional = new Set<string>();
  for (const m of metadatas) {
    all.add(m.propertyName);
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) optional.add(m.propertyName);
    else if (m.type !== ValidationTypes.CUSTOM_VALIDATION || m.name !== 'isString' || m.each)
      throw new Error(`@PlainStringBody on ${dto.name}: ${m.propertyName} has a check other than @IsString()`);
  }
  fields = { required: [...all].filter((f) => !optional.has(f)), all };
  stringFields.set(dto, fields);
  return fields;
}

/** Whether `value` is an object with only the fields, each a string, the required ones present. */
function isPlainStringBody(value: object, fields: StringFields): boolean {
  for (const key of Object.keys(value)) {
    if (!fields.all.has(key) || typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  }
  for (const key of fields.required) if (typeof (value as Record<string, unknown>)[key] !== 'string') return false;
  return true;
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
    const dto = metadata.metatype as new () => object;
    if (Reflect.getMetadata(PLAIN_STRING_BODY, dto) === true && isPlainStringBody(value, stringFieldsOf(dto)))
      return Object.assign(new dto(), value);
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
