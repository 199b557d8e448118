import { SetMetadata } from '@nestjs/common';
import type { DialectName } from './error-body';

export type { DialectName };

const DIALECT = 'gatehouse:dialect';

/**
 * Declares the dialect a controller's routes answer their errors in: HttpErrorFilter shapes
 * their failures by it and the OpenAPI document describes them by it, both through dialectOf.
 */
export const Dialect = (name: DialectName): ClassDecorator => SetMetadata(DIALECT, name);

export function declaredDialect(controller: object): DialectName | undefined {
  return Reflect.getMetadata(DIALECT, controller) as DialectName | undefined;
}

/**
 * The dialect of a controller's routes, for their answers and their documentation alike. A
 * controller without @Dialect (an extension module's) speaks Birdhouse, the dialect of Gatehouse's
 * newer routes (README, "Extending Gatehouse"). Failures that happen before any controller is
 * chosen fall back to the path rule of src/http/error-body.ts.
 */
export function dialectOf(controller: object): DialectName {
  return declaredDialect(controller) ?? 'birdhouse';
}
