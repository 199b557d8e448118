/** A JSON Schema, as the OpenAPI document holds it. */
export type JsonSchema = Record<string, unknown>;

const FAILS = 'gatehouse:fails';

export interface RouteFailure {
  status: number;
  description: string;
  /** A body other than the dialect's error shape (GET /health's 503, for instance). */
  schema?: JsonSchema;
}

/**
 * Documents an error status particular to one route (409 login taken, 403 wrong password,
 * 404 no such session...). The statuses every route of a kind can answer (400, 401, 413, 415,
 * 429, 503) are derived in src/docs/openapi-document.ts and need no declaration.
 */
export const Fails =
  (status: number, description: string, schema?: JsonSchema): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const list = (Reflect.getMetadata(FAILS, handler) as RouteFailure[] | undefined) ?? [];
    Reflect.defineMetadata(FAILS, [...list, { status, description, schema }], handler);
  };

export function failuresOf(handler: object): RouteFailure[] {
  return (Reflect.getMetadata(FAILS, handler) as RouteFailure[] | undefined) ?? [];
}
