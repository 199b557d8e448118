import type { Type } from '@nestjs/common';
import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { JsonSchema } from '../http/api-errors';

export type { JsonSchema };

/** class-validator's checks that have a JSON Schema equivalent; the others only narrow. */
const TYPES: Record<string, (constraints: unknown[]) => JsonSchema> = {
  isString: () => ({ type: 'string' }),
  isArray: () => ({ type: 'array' }),
  isBoolean: () => ({ type: 'boolean' }),
  isObject: () => ({ type: 'object' }),
  isInt: () => ({ type: 'integer' }),
  isNumber: () => ({ type: 'number' }),
  isIn: ([values]) => ({ enum: values }),
  isEnum: ([entity]) => ({ enum: Object.values(entity as object) }),
  minLength: ([min]) => ({ minLength: min }),
  maxLength: ([max]) => ({ maxLength: max }),
  length: ([min, max]) => ({ minLength: min, ...(max === undefined ? {} : { maxLength: max }) }),
};

/**
 * The JSON Schema of a body DTO, read from the class-validator decorators that the validation
 * pipe enforces: the document cannot drift from the validation, and a DTO needs no second set
 * of decorators to be documented. Unknown fields are refused (forbidNonWhitelisted).
 */
export function requestSchema(dto: Type): JsonSchema | undefined {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  if (metadatas.length === 0) return undefined;
  const properties: Record<string, JsonSchema> = {};
  const optional = new Set<string>();
  for (const metadata of metadatas) {
    const property = (properties[metadata.propertyName] ??= {});
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) optional.add(metadata.propertyName);
    const name = metadata.name ?? '';
    if (metadata.type === ValidationTypes.CUSTOM_VALIDATION && TYPES[name]) {
      // A check of each item (`@IsString({ each: true })`) describes the array's items.
      const target = metadata.each ? ((property.items as JsonSchema | undefined) ??= {}) : property;
      Object.assign(target, TYPES[name](metadata.constraints ?? []));
    }
  }
  const required = Object.keys(properties).filter((p) => !optional.has(p));
  return { type: 'object', properties, required, additionalProperties: false };
}
