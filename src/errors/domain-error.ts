/**
 * What went wrong, in the service's own terms: each transport maps a kind to its own answer at
 * its edge (src/http/error-reply.ts: an HTTP status in the route's dialect, or a socket.io
 * error; src/owner/owner-failure.ts: an exit status of the command line or an MCP isError), so
 * that no service guesses at HTTP and no edge guesses at what a service meant.
 */
export type DomainErrorKind =
  /** 400: the input is refused (a password the rules refuse, a malformed login). */
  | 'invalid'
  /** 401: who is asking is not established (wrong password at sign-in, a code that does not work). */
  | 'unauthenticated'
  /** 403: established, but not allowed (a locked account, a wrong password of a signed-in caller). */
  | 'forbidden'
  /** 404: no such thing for this caller. */
  | 'not-found'
  /** 409: the state forbids it (a login already taken). */
  | 'conflict'
  /** 429: too many attempts; carries Retry-After. */
  | 'too-many'
  /** 503: a resource is busy or away; try again shortly. */
  | 'unavailable';

/** The HTTP status of each kind. */
export const DOMAIN_ERROR_STATUS: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-many': 429,
  unavailable: 503,
};

export interface DomainErrorOptions {
  /**
   * Further fields of the error body, after `status`, `error` and `message` (e.g.
   * `{ secondFactor: 'required' }`): what a client decides its next step by. Never a secret.
   */
  fields?: Readonly<Record<string, string>>;
  /** Headers of the HTTP answer (e.g. `Retry-After` of a 429). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * A failure a service reports to whoever called it, in any transport. `message` is shown to the
 * client (and to the owner on the command line): say what is wrong, never a secret.
 */
export class DomainError extends Error {
  readonly fields: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.name = 'DomainError';
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return DOMAIN_ERROR_STATUS[this.kind];
  }
}

/** 429 with its Retry-After, in whole seconds. */
export function tooManyAttempts(message: string, retryAfterSeconds: number): DomainError {
  return new DomainError('too-many', message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
}
