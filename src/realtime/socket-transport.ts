import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException, HttpStatus } from '@nestjs/common';
import cors from 'cors';
import type { AppConfig } from '../config/config';
import { corsOptions } from '../http/cors';
import { errorReply } from '../http/error-reply';
import { requireHost } from '../http/host-header';
import { answerError, writeError } from '../http/raw-error';
import { securityHeaders } from '../http/security-headers';
import type { GatehouseServer } from './socket-session';

/** A request as engine.io hands it to its middlewares and events: its query already parsed. */
type EngineRequest = IncomingMessage & {
  _query: Record<string, string | undefined>;
  /** Set for HTTP requests (polling); absent for WebSocket upgrades. */
  res?: ServerResponse;
  /** Set once `ws` has taken an upgraded connection over: no HTTP answer can follow. */
  websocket?: unknown;
};

/** What engine.io emits as 'connection_error' just before it refuses a request itself. */
interface EngineRefusal {
  req: EngineRequest;
  code: number;
  message: string;
  context?: { message?: unknown };
}

/** engine.io's Server.errors.FORBIDDEN (allowRequest said no), which it answers with 403; every other code is 400. */
const ENGINE_FORBIDDEN = 4;

/**
 * The HTTP side of the socket.io path, which engine.io answers before Express ever sees it:
 * a request without Host is refused as the REST API refuses it, every answer gets the REST
 * API's security headers and CORS, the JSONP form of polling is
 * refused, and engine.io's own refusals (an unknown transport or session, a refused origin)
 * leave in the Birdhouse error shape instead of engine.io's `{"code","message"}`.
 * The middlewares run on every request of the path, WebSocket upgrades included, before
 * engine.io verifies it.
 */
export function guardSocketTransport(server: GatehouseServer, config: Pick<AppConfig, 'corsOrigins'>): void {
  const engine = server.engine;
  engine.use(requireHost);
  engine.use(securityHeaders);
  // Here rather than in engine.io's `cors` option, which would run before the headers above
  // and answer preflights without them.
  engine.use(cors(corsOptions(config)));
  engine.use(refuseJsonp);
  engine.on('connection_error', answerRefusal);
}

/**
 * JSONP polling answers with a script that any page may load with `<script src>`: a request
 * without an Origin, so it passed the origin check and opened a session for another site.
 * XHR polling and WebSocket remain.
 */
function refuseJsonp(request: EngineRequest, response: ServerResponse, next: (error?: unknown) => void): void {
  if (typeof request._query.j !== 'string' || request.res === undefined) return next();
  const refusal = new HttpException('JSONP polling is not supported: use XHR polling or WebSocket', 400);
  answerError(response, errorReply(refusal, 'birdhouse'));
}

/**
 * Answers engine.io's refusal first, in the Birdhouse shape, with the status engine.io would
 * use. engine.io then finds the response sent and leaves it (polling); for a refused upgrade it
 * finds the connection ended and only destroys it.
 */
function answerRefusal({ req, code, message, context }: EngineRefusal): void {
  const status = code === ENGINE_FORBIDDEN ? HttpStatus.FORBIDDEN : HttpStatus.BAD_REQUEST;
  const detail = typeof context?.message === 'string' ? context.message : message;
  const reply = errorReply(new HttpException(detail, status), 'birdhouse');
  if (req.res) answerError(req.res, reply);
  else if (req.websocket === undefined && req.socket.writable) writeError(req.socket, reply);
}
