import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth.guard';

/**
 * The session of the request's token (undefined on an anonymous request to an "optional"
 * route). For use in any module's controllers behind @Auth.
 */
export const CurrentSession = createParamDecorator(
  (_data: unknown, context: ExecutionContext) =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().gatehouseSession,
);
