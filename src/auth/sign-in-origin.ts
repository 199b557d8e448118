import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { clientAddress } from '../limits/client-address';
import { clientLabel } from '../tokens/client-label';

/** Where a request signs in from: the client label for the session list, and the client address. */
export interface SignInOrigin {
  client: string | null;
  address: string;
}

/** The request's SignInOrigin as a handler parameter (User-Agent and ClientAddress). */
export const Origin = createParamDecorator((_data: unknown, context: ExecutionContext): SignInOrigin => {
  const request = context.switchToHttp().getRequest<Request>();
  return { client: clientLabel(request.headers['user-agent']), address: clientAddress(request) };
});
