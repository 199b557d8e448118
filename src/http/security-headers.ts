import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

const helmetHeaders = helmet();

/**
 * helmet's default headers (nosniff, a script-src 'self' CSP, ...) and Cache-Control: no-store,
 * on every answer: the REST API's (first middleware of the app) and socket.io's (first
 * middleware of its engine, see socket-transport.ts). Nothing Gatehouse answers may be kept by a
 * browser or a proxy cache: sign-in and registration responses carry tokens, the rest answer for
 * one account at one moment.
 */
export function securityHeaders(
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
): void {
  response.setHeader('Cache-Control', 'no-store');
  helmetHeaders(request, response, next);
}

/**
 * The same headers as a record, for answers written where no middleware ran: Node's own
 * refusals (a request it cannot parse, an unmet Expect, a missing Host) and refused WebSocket
 * upgrades. helmet's defaults do not depend on the request, so they are read once.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = recorded();

function recorded(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name] = String(value)),
    removeHeader: (name: string) => void delete headers[name],
  };
  helmetHeaders({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return { ...headers, 'Cache-Control': 'no-store' };
}
