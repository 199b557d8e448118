import { request as httpRequest } from 'node:http';
import { checkAgainstDocument } from './openapi-check';

export interface AddressedReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * A JSON request whose TCP connection leaves from a chosen loopback address (any of
 * 127.0.0.0/8 works on Linux), so a test can be several clients at once.
 */
export function postFrom(
  localAddress: string,
  base: string,
  path: string,
  json: unknown,
  headers: Record<string, string> = {},
): Promise<AddressedReply> {
  return requestFrom(localAddress, base, 'POST', path, { json, headers });
}

/**
 * Any request from a chosen loopback address (see postFrom), with a JSON body when `json` is
 * given. The answer is checked against the OpenAPI document, as test/support/http.ts does.
 */
export function requestFrom(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  { json, headers = {} }: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<AddressedReply> {
  const url = new URL(path, base);
  const payload = json === undefined ? undefined : JSON.stringify(json);
  const bodyHeaders: Record<string, string | number> =
    payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
  return new Promise<AddressedReply & { text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        localAddress,
        agent: false,
        timeout: 15_000,
        headers: { ...bodyHeaders, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  }).then(async ({ text, ...reply }) => {
    await checkAgainstDocument(base, method, path, { ...reply, text });
    return reply;
  });
}
