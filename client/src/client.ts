import createClient, { type Middleware } from 'openapi-fetch';
import { encodePassword } from './password';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from './webauthn-json';
import { routes } from './routes';
import type { components, paths } from './schema';
import { memoryTokenStore, type TokenStore } from './tokens';

export type Schemas = components['schemas'];

export interface GatehouseClientOptions {
  /** The server, e.g. `http://127.0.0.1:3000`; `''` for the page's own origin. */
  baseUrl: string;
  /** Where the token is kept (default: in memory, starting with `token`). */
  tokens?: TokenStore;
  /** The token to start with, when `tokens` is not given. */
  token?: string;
  /** Called once when a `401` made the client drop its token: sign in again. */
  onSignedOut?: () => void;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Headers sent with every request (a Node service's `User-Agent`, say). */
  headers?: Record<string, string>;
}

/**
 * The authentication level of a documented route (`x-auth-level`), or undefined for one that is
 * not documented. `basePath` is the path of the server's URL (a service behind a prefix).
 */
function levelOf(method: string, url: string, basePath: string): string | undefined {
  const pathname = new URL(url).pathname;
  const path = pathname.startsWith(basePath) ? pathname.slice(basePath.length) : pathname;
  const route = (routes as Record<string, Record<string, string>>)[path];
  return route?.[method.toLowerCase()];
}

/**
 * The token rules of the service, as a middleware of every request:
 * - the token goes in the `Authentication` header, only to routes that read one (not to a
 *   sign-in, whose `401` means wrong credentials, not a dead token);
 * - a `401` on such a route means the token is no longer any good: it is dropped (unless the
 *   store already holds another one, from a sign-in meanwhile) and `onSignedOut` runs;
 * - a `503` means the service cannot check it right now: it is kept.
 */
function tokenRules(tokens: TokenStore, basePath: string, onSignedOut?: () => void): Middleware {
  const sent = new WeakMap<Request, string>();
  return {
    onRequest({ request }) {
      const token = tokens.get();
      const level = levelOf(request.method, request.url, basePath);
      if (token === null || level === 'not needed' || request.headers.has('Authentication')) return undefined;
      request.headers.set('Authentication', `Bearer ${token}`);
      sent.set(request, token);
      return request;
    },
    onResponse({ request, response }) {
      const token = sent.get(request);
      if (response.status === 401 && token !== undefined && tokens.get() === token) {
        tokens.clear();
        onSignedOut?.();
      }
      return undefined;
    },
  };
}

/**
 * What a sign-in came to:
 * - `signedIn`: the token (already in the client's store);
 * - `secondFactor`: the account has two-factor sign-in on; ask for a code (from the authenticator
 *   app, or a backup code) and call `withCode`. `codeRejected` is true when a code was sent and
 *   was wrong or already used;
 * - `unavailable`: `503` (the service cannot check now) or `429` (too many attempts; `retryAfter`
 *   in seconds when the server said);
 * - `refused`: anything else (wrong handle or password, bad input), with the server's error.
 */
export type SignInResult =
  | { kind: 'signedIn'; token: string }
  | { kind: 'secondFactor'; codeRejected: boolean; withCode(otp: string): Promise<SignInResult> }
  | { kind: 'unavailable'; status: 503 | 429; retryAfter: number | null }
  | { kind: 'refused'; status: number; error: Schemas['BirdhouseError'] | undefined };

export interface SignInCredentials {
  handle: string;
  /** The password as typed (the client encodes it). */
  password: string;
  /** A code of the second factor, when the account has it on. */
  otp?: string;
}

/**
 * A client of one Gatehouse server: one typed function per documented route (the request body
 * and the answer are the OpenAPI document's), plus `signIn`, which follows the rules of a
 * sign-in. Each route function answers openapi-fetch's `{ data, error, response }`: `data` on a
 * success, `error` (the dialect's error body) otherwise.
 */
export function createGatehouseClient(options: GatehouseClientOptions) {
  const tokens = options.tokens ?? memoryTokenStore(options.token ?? null);
  const api = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.headers,
  });
  const basePath = new URL(options.baseUrl, 'http://localhost').pathname.replace(/\/+$/, '');
  api.use(tokenRules(tokens, basePath, options.onSignedOut));

  const routeFunctions = {
    /** `GET /health`: whether the service and its database answer. */
    health: () => api.GET('/health'),

    /** The classic dialect (`login`, `password` in plain text). */
    classic: {
      /** `POST /register` */
      register: (body: Schemas['ClassicCredentialsDto']) => api.POST('/register', { body }),
      /** `POST /auth`: a token, or `401` (with `"secondFactor":"required"` when a code is needed). */
      signIn: (body: Schemas['ClassicSignInDto']) => api.POST('/auth', { body }),
    },

    /** `POST /api/auth/register` (`pwd` in Base64: `encodePassword`). */
    register: (body: Schemas['BirdhouseCredentialsDto']) => api.POST('/api/auth/register', { body }),
    /** `POST /api/auth/login`; `signIn` wraps it with the second-factor rule. */
    login: (body: Schemas['BirdhouseSignInDto']) => api.POST('/api/auth/login', { body }),
    /** `POST /api/auth/invalidate`: revokes `token` (default: the client's own, which it then forgets). */
    invalidate: async (token: string | null = tokens.get()) => {
      const own = token !== null && token === tokens.get();
      const reply = await api.POST('/api/auth/invalidate', { body: { token: token ?? '' } });
      if (reply.data && own && tokens.get() === token) tokens.clear();
      return reply;
    },
    /** `GET /api/auth/me` */
    me: () => api.GET('/api/auth/me'),
    /** `POST /api/auth/recover`: a new password with a recovery code from the server's owner. */
    recover: (body: Schemas['RecoverDto']) => api.POST('/api/auth/recover', { body }),

    /** `GET /api/auth/sessions`: the account's live tokens, newest first. */
    sessions: () => api.GET('/api/auth/sessions'),
    /** `POST /api/auth/sessions/revoke` */
    revokeSession: (id: string) => api.POST('/api/auth/sessions/revoke', { body: { id } }),
    /** `POST /api/auth/sessions/revoke-others` */
    revokeOtherSessions: (body: Schemas['PasswordConfirmationDto']) =>
      api.POST('/api/auth/sessions/revoke-others', { body }),
    /** `POST /api/auth/password`: the caller's token keeps working, the others are revoked. */
    changePassword: (body: Schemas['ChangePasswordDto']) => api.POST('/api/auth/password', { body }),
    /** `POST /api/auth/delete` */
    deleteAccount: (body: Schemas['PasswordConfirmationDto']) => api.POST('/api/auth/delete', { body }),

    /** `GET /api/auth/activity`: the account's security events, newest first; `before` is the previous page's `next`. */
    activity: (before?: string) =>
      api.GET('/api/auth/activity', before === undefined ? {} : { params: { query: { before } } }),

    /**
     * Passkeys (WebAuthn). `addPasskey` and `signInWithPasskey` (./passkeys) run the whole
     * ceremony in a browser; these are the single calls.
     */
    passkeys: {
      /** `POST /api/auth/passkeys/options`: creation options for `navigator.credentials.create`. */
      options: (body: Schemas['PasskeyOptionsDto']) => api.POST('/api/auth/passkeys/options', { body }),
      /** `POST /api/auth/passkeys`: registers the browser's answer to those options. */
      add: (credential: RegistrationResponseJSON, name?: string) =>
        api.POST('/api/auth/passkeys', {
          body: { credential: credential as unknown as Record<string, never>, ...(name === undefined ? {} : { name }) },
        }),
      /** `GET /api/auth/passkeys`: the account's passkeys, oldest first (needs `account:read`). */
      list: () => api.GET('/api/auth/passkeys'),
      /** `POST /api/auth/passkeys/remove`: no token is revoked. */
      remove: (body: Schemas['RemovePasskeyDto']) => api.POST('/api/auth/passkeys/remove', { body }),
      /** `POST /api/auth/passkey/login/options`: request options for a discoverable `navigator.credentials.get`. */
      // The route takes exactly `{}`, which the document does not spell as a body.
      loginOptions: () => api.POST('/api/auth/passkey/login/options', { body: {} as never }),
      /** `POST /api/auth/passkey/login`: a token, as a password sign-in gives (not put in the store: `signInWithPasskey` does). */
      login: (credential: AuthenticationResponseJSON) =>
        api.POST('/api/auth/passkey/login', { body: { credential: credential as unknown as Record<string, never> } }),
    },

    /** Access tokens for programs: named, scoped, shown once. */
    accessTokens: {
      /** `POST /api/auth/tokens`: `{ token, id }`; the token is shown this once. */
      create: (body: Schemas['CreateAccessTokenDto']) => api.POST('/api/auth/tokens', { body }),
      /** `GET /api/auth/tokens`: the live access tokens, never the tokens themselves (needs `account:read`). */
      list: () => api.GET('/api/auth/tokens'),
      /** `POST /api/auth/tokens/revoke`: revokes one by its id; its sockets are dropped. */
      revoke: (id: string) => api.POST('/api/auth/tokens/revoke', { body: { id } }),
    },

    /**
     * `POST /api/auth/introspect` (RFC 7662), as a service asks about a token presented to it: the
     * client's own token is the caller's and needs the `introspect` scope. Its success is RFC
     * 7662's `{ active, sub?, username?, scope?, exp?, iat?, token_type? }`, without `status`.
     * `form: true` sends the body form-encoded, as RFC 7662 writes it; JSON otherwise.
     */
    introspect: (token: string, options: { tokenTypeHint?: string; form?: boolean } = {}) => {
      const body = {
        token,
        ...(options.tokenTypeHint === undefined ? {} : { token_type_hint: options.tokenTypeHint }),
      };
      return options.form
        ? api.POST('/api/auth/introspect', {
            body,
            bodySerializer: (fields) => new URLSearchParams(fields as Record<string, string>).toString(),
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          })
        : api.POST('/api/auth/introspect', { body });
    },

    twoFactor: {
      /** `POST /api/auth/2fa/setup`: a secret and its otpauth:// URI, not yet on. */
      setup: (body: Schemas['TwoFactorSetupDto']) => api.POST('/api/auth/2fa/setup', { body }),
      /** `POST /api/auth/2fa/enable`: turns it on with a code; answers the backup codes. */
      enable: (body: Schemas['TwoFactorEnableDto']) => api.POST('/api/auth/2fa/enable', { body }),
      /** `POST /api/auth/2fa/backup-codes`: new backup codes, the old ones stop working. */
      backupCodes: (body: Schemas['TwoFactorConfirmationDto']) => api.POST('/api/auth/2fa/backup-codes', { body }),
      /** `POST /api/auth/2fa/disable` */
      disable: (body: Schemas['TwoFactorConfirmationDto']) => api.POST('/api/auth/2fa/disable', { body }),
    },
  };

  async function signIn({ handle, password, otp }: SignInCredentials): Promise<SignInResult> {
    const body = { handle, pwd: encodePassword(password), ...(otp === undefined ? {} : { otp }) };
    const { data, error, response } = await routeFunctions.login(body);
    if (data) {
      tokens.set(data.token);
      return { kind: 'signedIn', token: data.token };
    }
    if (response.status === 401 && error?.secondFactor === 'required') {
      return {
        kind: 'secondFactor',
        codeRejected: otp !== undefined,
        withCode: (code: string) => signIn({ handle, password, otp: code }),
      };
    }
    if (response.status === 503 || response.status === 429) {
      const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
      return { kind: 'unavailable', status: response.status, retryAfter: Number.isNaN(retryAfter) ? null : retryAfter };
    }
    return { kind: 'refused', status: response.status, error };
  }

  return { api, tokens, signIn, ...routeFunctions };
}

export type GatehouseClient = ReturnType<typeof createGatehouseClient>;

/**
 * The scope an access token lacks, when a call answered `403` with `scope`: the token is fine
 * (keep it) but was not created for this call. `null` for any other answer.
 */
export function missingScope(reply: { error?: unknown; response: Response }): string | null {
  const scope = (reply.error as { scope?: unknown } | undefined)?.scope;
  return reply.response.status === 403 && typeof scope === 'string' ? scope : null;
}
