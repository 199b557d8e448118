import { checkAgainstDocument } from './openapi-check';

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: any;
  text: string;
}

export async function request(
  base: string,
  method: string,
  path: string,
  options: { json?: unknown; raw?: string | Buffer; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
  }
  const response = await fetch(base + path, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  const reply = { status: response.status, headers: response.headers, body: parsed, text };
  await checkAgainstDocument(base, method, path, reply);
  return reply;
}

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

let counter = 0;
/** A login no other test in this process uses. */
export const uniqueLogin = (prefix = 'user'): string => `${prefix}${process.pid}x${++counter}`;

/**
 * A small client for one running app. `timeoutMs` bounds each request (15 s by default): a spec
 * that queues work on purpose (a full hashing queue) may allow more on a loaded machine.
 */
export function client(base: () => string, { timeoutMs }: { timeoutMs?: number } = {}) {
  return {
    post: (path: string, json: unknown, headers?: Record<string, string>) =>
      request(base(), 'POST', path, { json, headers, timeoutMs }),
    get: (path: string, headers?: Record<string, string>) => request(base(), 'GET', path, { headers, timeoutMs }),
    raw: (method: string, path: string, raw: string | Buffer | undefined, headers?: Record<string, string>) =>
      request(base(), method, path, { raw, headers, timeoutMs }),
    /** Registers through the classic dialect and signs in; returns a token. */
    async account(login = uniqueLogin(), password = 'secret-password') {
      const reg = await request(base(), 'POST', '/register', { json: { login, password } });
      if (reg.status !== 200) throw new Error(`register ${login}: ${reg.status} ${reg.text}`);
      const auth = await request(base(), 'POST', '/auth', { json: { login, password } });
      if (auth.status !== 200) throw new Error(`auth ${login}: ${auth.status} ${auth.text}`);
      return { login, password, token: auth.body.token as string };
    },
  };
}
