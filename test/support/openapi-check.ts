import { AssertionError } from 'node:assert';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks every response a spec receives on a documented route against the app's own
 * /docs/openapi.json (section 12: every response matches the document). The document is
 * fetched once per app (base URL); an app started with API_DOCS=off is not checked.
 */
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components?: object;
}
interface Checker {
  document: OpenApi;
  routes: { pattern: RegExp; template: string }[];
  ajv: Ajv;
  compiled: Map<string, ValidateFunction>;
}

const checkers = new Map<string, Promise<Checker | null>>();

async function load(base: string): Promise<Checker | null> {
  const response = await fetch(`${base}/docs/openapi.json`, { signal: AbortSignal.timeout(15_000) });
  if (response.status === 404) return null;
  if (response.status !== 200) throw new Error(`GET /docs/openapi.json answered ${response.status}`);
  const document = (await response.json()) as OpenApi;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: document.components ?? {} });
  const routes = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return { document, routes, ajv, compiled: new Map() };
}

function checkerFor(base: string): Promise<Checker | null> {
  let checker = checkers.get(base);
  if (!checker) {
    checker = load(base);
    // A failed fetch (the app is not up yet, or going away) is retried by the next request.
    checker.catch(() => checkers.delete(base));
    checkers.set(base, checker);
  }
  return checker;
}

export interface CheckedReply {
  status: number;
  body: unknown;
  text: string;
}

/** Throws when a response on a documented route has an undocumented status or a wrong body. */
export async function checkAgainstDocument(
  base: string,
  method: string,
  url: string,
  reply: CheckedReply,
): Promise<void> {
  const path = url.split('?')[0];
  if (path.startsWith('/docs') || path.startsWith('/account')) return;
  const checker = await checkerFor(base).catch(() => null);
  if (!checker) return;
  const route = checker.routes.find((r) => r.pattern.test(path));
  const operation = route && checker.document.paths[route.template][method.toLowerCase()];
  if (!route || !operation) return;
  const where = `${method} ${path} → ${reply.status}`;
  const documented = operation.responses[String(reply.status)];
  if (!documented)
    throw new AssertionError({ message: `${where}: status not in the OpenAPI document (${reply.text.slice(0, 200)})` });
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return;
  const key = `${route.template} ${method} ${reply.status}`;
  let validate = checker.compiled.get(key);
  if (!validate) {
    validate = checker.ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')),
    );
    checker.compiled.set(key, validate);
  }
  if (!validate(reply.body)) {
    throw new AssertionError({
      message: `${where}: body does not match the OpenAPI document: ${checker.ajv.errorsText(validate.errors)} (${reply.text.slice(0, 200)})`,
    });
  }
}
