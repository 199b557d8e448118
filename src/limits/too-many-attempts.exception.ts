import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 that carries its own Retry-After header (seconds), answered with it by every error path. */
export class TooManyAttemptsException extends HttpException {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
    this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
