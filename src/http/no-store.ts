import type { NextFunction, Request, Response } from 'express';

/**
 * Nothing Gatehouse answers may be kept by a browser or a proxy cache: sign-in and
 * registration responses carry tokens, the rest answer for one account at one moment.
 */
export function noStore(_request: Request, response: Response, next: NextFunction): void {
  response.setHeader('Cache-Control', 'no-store');
  next();
}
