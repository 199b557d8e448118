import assert from 'node:assert/strict';
import { request as httpRequest, STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import type { TestDatabase } from './engines';

export * from './fuzz-arbitraries';

/** One reply read over node:http, which (unlike fetch) sends any body with any method and raw header values. */
export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  body: any;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  chunked?: boolean;
  timeoutMs?: number;
}

/**
 * Sends one request on a fresh connection and resolves with the reply. A write error after the
 * reply has arrived (the server may close early, e.g. after a 413) is not a failure.
 */
export function send(base: string, path: string, options: RawRequest = {}): Promise<RawReply> {
  const { method = 'POST', headers = {}, body, chunked = false, timeoutMs = 15_000 } = options;
  const url = new URL(path, base);
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const outgoing: Record<string, string> = { ...headers };
  if (payload !== undefined && !chunked) outgoing['content-length'] = String(payload.length);
  if (payload !== undefined && chunked) outgoing['transfer-encoding'] = 'chunked';
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: outgoing, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => finish(error));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    const timer = setTimeout(() => {
      finish(new Error(`${method} ${path}: no complete reply within ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    function finish(error?: Error, reply?: RawReply): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(reply as RawReply);
    }
    req.on('error', (error) => finish(error));
    if (payload === undefined) {
      req.end();
    } else if (chunked) {
      // Several chunks, so that the server sees a body whose length it cannot know up front.
      for (let at = 0; at < payload.length; at += 16 * 1024) req.write(payload.subarray(at, at + 16 * 1024));
      req.end();
    } else {
      req.end(payload);
    }
  });
}

/** JSON text for a request body. */
export const json = (value: unknown): string => JSON.stringify(value);

export const JSON_TYPE = { 'content-type': 'application/json' };

export type Dialect = 'classic' | 'birdhouse';

export const dialectOf = (path: string): Dialect =>
  path === '/health' || path.startsWith('/health/') || path.startsWith('/api/') ? 'birdhouse' : 'classic';

/** Text that only a stack trace, a source path or a framework's internals would put in a reply. */
const LEAK = new RegExp(
  [
    String.raw`\n\s+at\s`,
    String.raw`\bat\s+\S+\s+\(`,
    'node_modules',
    String.raw`\.(?:ts|js):\d+`,
    '/src/',
    '/build/',
    'QueryFailedError|SyntaxError|TypeError',
    'SQLITE_|ER_[A-Z_]+',
    'class-transformer|Express|NestJS',
  ].join('|'),
);

/**
 * Asserts what every reply must satisfy, whatever the input: no 5xx, no X-Powered-By, nothing
 * that looks like a stack trace or an internal error name.
 */
export function assertHygienic(reply: RawReply, context: string, sent = ''): void {
  assert.ok(
    reply.status >= 200 && reply.status < 500,
    `${context}: status ${reply.status} ${reply.text.slice(0, 300)}`,
  );
  assert.equal(reply.headers['x-powered-by'], undefined, `${context}: X-Powered-By sent`);
  // A validation message may name a property the client sent; only text the client did not send counts.
  const echoed = (text: string) => sent.includes(text) || sent.includes(JSON.stringify(text).slice(1, -1));
  for (const match of reply.text.matchAll(new RegExp(LEAK.source, 'g'))) {
    assert.ok(echoed(match[0]), `${context}: the reply leaks internals (${match[0]}): ${reply.text.slice(0, 300)}`);
  }
}

/**
 * Asserts an error reply in the dialect of `path`, exactly: classic `{"error", "message"?}`,
 * Birdhouse `{"status":"error", "error", "message"?}`, `error` being the status's reason phrase.
 */
export function assertErrorShape(
  reply: RawReply,
  path: string,
  status: number | number[],
  context: string,
  sent = '',
): void {
  const statuses = Array.isArray(status) ? status : [status];
  const where = `${context}: ${reply.status} ${reply.text.slice(0, 300)}`;
  assert.ok(statuses.includes(reply.status), `${where} (expected ${statuses.join(' or ')})`);
  assertHygienic(reply, context, sent);
  assert.match(String(reply.headers['content-type']), /^application\/json\b/, `${where}: content type`);
  assert.ok(
    reply.body !== null && typeof reply.body === 'object' && !Array.isArray(reply.body),
    `${where}: not a JSON object`,
  );
  const allowed = dialectOf(path) === 'birdhouse' ? ['error', 'message', 'status'] : ['error', 'message'];
  const keys = Object.keys(reply.body).sort();
  assert.ok(
    keys.every((key) => allowed.includes(key)),
    `${where}: keys ${keys.join(',')}`,
  );
  assert.equal(reply.body.error, STATUS_CODES[reply.status], `${where}: error is not the reason phrase`);
  if (dialectOf(path) === 'birdhouse') assert.equal(reply.body.status, 'error', `${where}: status`);
  if ('message' in reply.body) assert.equal(typeof reply.body.message, 'string', `${where}: message`);
}

/**
 * The rows of the two tables, as text, without `last_used_at` (a valid token's use may touch
 * it, at most once a minute). Equal snapshots mean no account or token was added, removed or
 * changed.
 */
export async function snapshot(db: TestDatabase): Promise<{ accounts: string[]; tokens: string[] }> {
  const accounts = (await db.sql(
    'SELECT id, login_key, login, password_hash, created_at FROM accounts ORDER BY id',
  )) as Record<string, unknown>[];
  const tokens = (await db.sql(
    'SELECT id, token_hash, public_id, account_id, created_at, expires_at, client, address FROM tokens ORDER BY id',
  )) as Record<string, unknown>[];
  const row = (r: Record<string, unknown>) => Object.values(r).map(String).join('|');
  return { accounts: accounts.map(row), tokens: tokens.map(row) };
}

export type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** Rows in `after` that are not in `before`, and rows of `before` that are gone or changed. */
export function difference(before: Snapshot, after: Snapshot): { added: Snapshot; removed: Snapshot } {
  const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  return {
    added: { accounts: minus(after.accounts, before.accounts), tokens: minus(after.tokens, before.tokens) },
    removed: { accounts: minus(before.accounts, after.accounts), tokens: minus(before.tokens, after.tokens) },
  };
}

/** The status line and body of what the server answers to raw bytes on a fresh connection. */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  timeoutMs = 10_000,
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(bytes).slice(0, 80))}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: rest.join('\r\n\r\n') });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is all that is wanted: stop soon after its head, if the server keeps the connection.
      if (Buffer.concat(chunks).includes('\r\n\r\n')) setTimeout(() => socket.destroy(), 500);
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}
