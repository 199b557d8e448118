import { SetMetadata, type Type } from '@nestjs/common';
import { isBirdhousePath } from '../http/error-body';

export type DialectName = 'classic' | 'birdhouse';

const DIALECT = 'gatehouse:dialect';

/**
 * Declares the error shape a controller answers in, for the OpenAPI document. A controller
 * without it is taken to speak Birdhouse under /api/ and /health (where extension modules are
 * asked to put their routes) and classic elsewhere: the rule HttpErrorFilter applies, since
 * some failures (a malformed body, an unknown route) happen before a controller is chosen.
 */
export const Dialect = (name: DialectName): ClassDecorator => SetMetadata(DIALECT, name);

export function declaredDialect(controller: Type): DialectName | undefined {
  return Reflect.getMetadata(DIALECT, controller) as DialectName | undefined;
}

export function dialectOf(controller: Type, path: string): DialectName {
  return declaredDialect(controller) ?? (isBirdhousePath(path) ? 'birdhouse' : 'classic');
}
