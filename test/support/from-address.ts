import { request as httpRequest } from 'node:http';

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
  const url = new URL(path, base);
  const payload = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        agent: false,
        timeout: 15_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
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
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: POST ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}
