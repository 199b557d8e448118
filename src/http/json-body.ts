import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { RefusedBodyException, refuseBody } from './route-dialect';

/** The largest request body accepted: 64 KiB. */
export const BODY_LIMIT_BYTES = 64 * 1024;

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Routes that also take application/x-www-form-urlencoded: token introspection, which RFC 7662
 * defines as a form post. Flat fields only (repeated ones become arrays, refused by validation).
 */
export const FORM_BODY_PATHS: ReadonlySet<string> = new Set(['/api/auth/introspect']);

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

/**
 * The charset a Content-Type declares, lower-cased, or undefined. JSON between systems is UTF-8
 * (RFC 8259, section 8.1); the parser would also decode UTF-16 and UTF-7, under which the same
 * bytes read as other text, so any other declared charset is refused.
 */
function declaredCharset(req: Request): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.headers['content-type'] ?? '');
  return match?.[1].toLowerCase();
}

const UTF8 = new Set(['utf-8', 'utf8']);

/**
 * Refuses the body: the refusal goes on with the request, to be answered in the route's dialect
 * before anything else looks at the request (see RouteDialectGuard). The rest of an unread body
 * is discarded; the connection closes after a refused upload.
 */
function fail(req: Request, next: NextFunction, status: number, message: string): void {
  refuseBody(req, new RefusedBodyException(status, message, !req.complete));
  next();
}

/**
 * Parses JSON bodies up to 64 KiB and refuses every parsing failure with a message of our own:
 * the parser's messages quote the input and its internals. A body in any other content type is
 * 415. Objects-or-arrays only (strict); that a body is an object is checked by the validation pipe.
 */
export function jsonBody(): RequestHandler {
  const parse = express.json({
    limit: BODY_LIMIT_BYTES,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  const parseForm = express.urlencoded({ limit: BODY_LIMIT_BYTES, extended: false, parameterLimit: 100 });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!WITH_BODY.has(req.method) || !hasBody(req)) return next();
    if (FORM_BODY_PATHS.has(req.path) && req.is('application/x-www-form-urlencoded')) {
      const charset = declaredCharset(req);
      if (charset !== undefined && !UTF8.has(charset)) return fail(req, next, 415, 'the body must be UTF-8');
      return parseForm(req, res, (error?: unknown) => {
        if (!error) return next();
        const { type, status } = error as { type?: string; status?: number };
        if (type === 'entity.too.large' || status === 413)
          return fail(req, next, 413, 'the body is larger than 64 KiB');
        return fail(req, next, 400, 'the body is not a valid form');
      });
    }
    if (!req.is(['application/json', 'application/*+json'])) {
      return fail(req, next, 415, 'the body must be JSON (Content-Type: application/json)');
    }
    const charset = declaredCharset(req);
    if (charset !== undefined && !UTF8.has(charset)) return fail(req, next, 415, 'the body must be UTF-8 JSON');
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const { type, status } = error as { type?: string; status?: number };
      if (type === 'entity.too.large' || status === 413) return fail(req, next, 413, 'the body is larger than 64 KiB');
      if (type === 'charset.unsupported' || type === 'encoding.unsupported' || status === 415) {
        return fail(req, next, 415, 'the body must be UTF-8 JSON');
      }
      return fail(req, next, 400, 'the body is not valid JSON');
    });
  };
}
