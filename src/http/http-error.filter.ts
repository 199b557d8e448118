import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-errors';
import { TooManyAttemptsException } from '../limits/too-many-attempts.exception';
import { SharedStoreUnavailableError } from '../shared-store/shared-store-errors';
import { errorBody } from './error-body';

/**
 * Every HTTP failure, whatever raised it, leaves in the dialect's error shape. Client errors
 * keep their message; an unreachable database or shared store is 503; anything unforeseen is a bare 500 whose
 * details go to the log only.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception, request);
    if (response.headersSent) return;
    if (exception instanceof TooManyAttemptsException) response.setHeader('Retry-After', String(exception.retryAfterSeconds));
    response.status(status).json(errorBody(request.path, status, message));
  }

  private describe(exception: unknown, request: Request): { status: number; message?: string } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === HttpStatus.NOT_FOUND && /^Cannot [A-Z]+ /.test(exception.message)) {
        return { status, message: 'no such endpoint' };
      }
      if (status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE) {
        this.logger.error(`${request.method} ${request.path}: ${exception.message}`);
        return { status };
      }
      return { status, message: messageOf(exception) };
    }
    if (exception instanceof SharedStoreUnavailableError) {
      // Sign-in and registration need the shared abuse counters (REDIS_URL): they are refused
      // for now rather than let through uncounted (README, "Several instances").
      this.logger.warn(`${request.method} ${request.path}: ${exception.message}`);
      return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'temporarily unavailable, try again shortly' };
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`${request.method} ${request.path}: database unavailable`);
      return { status: HttpStatus.SERVICE_UNAVAILABLE, message: 'database unavailable, try again shortly' };
    }
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`${request.method} ${request.path}: ${error.message}`, error.stack);
    return { status: HttpStatus.INTERNAL_SERVER_ERROR };
  }
}

function messageOf(exception: HttpException): string | undefined {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}
