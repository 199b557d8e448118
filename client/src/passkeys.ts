import type { GatehouseClient, Schemas } from './client';
import { encodePassword } from './password';
import {
  authenticationToJSON,
  type BrowserCredential,
  type CreationOptionsJSON,
  creationOptionsFromJSON,
  registrationToJSON,
  type RequestOptionsJSON,
  requestOptionsFromJSON,
} from './webauthn-json';

/** What the ceremonies use of the browser's `navigator.credentials`. */
interface Credentials {
  create(options: { publicKey: unknown }): Promise<unknown>;
  get(options: { publicKey: unknown }): Promise<unknown>;
}

/** The browser's WebAuthn API, or null where there is none (Node, an old browser, an insecure origin). */
function browserCredentials(): Credentials | null {
  const scope = globalThis as { PublicKeyCredential?: unknown; navigator?: { credentials?: Credentials } };
  return typeof scope.PublicKeyCredential === 'function' && scope.navigator?.credentials
    ? scope.navigator.credentials
    : null;
}

/** Whether this browser can create and use passkeys (a secure context with WebAuthn). */
export const passkeysSupported = (): boolean => browserCredentials() !== null;

/**
 * How a passkey ceremony can end short of success, for both helpers:
 * - `unsupported`: this browser has no WebAuthn (or the page is not a secure context);
 * - `cancelled`: the person dismissed the browser's dialog, or had no passkey for this site;
 * - `browserError`: the browser refused for another reason (`name` is the DOMException's, e.g.
 *   `InvalidStateError` when the authenticator already holds a passkey of this account);
 * - `notAvailable`: the server has passkeys off (`404`);
 * - `unavailable`: `503` (the service cannot check now; a token is kept) or `429` (`retryAfter` in seconds);
 * - `refused`: anything else, with the server's error (`401`: the passkey was not accepted;
 *   `403`: the account is locked, or a wrong password; `400`).
 */
export type PasskeyCeremonyFailure =
  | { kind: 'unsupported' }
  | { kind: 'cancelled' }
  | { kind: 'browserError'; name: string; message: string }
  | { kind: 'notAvailable' }
  | { kind: 'unavailable'; status: 503 | 429; retryAfter: number | null }
  | { kind: 'refused'; status: number; error: Schemas['BirdhouseError'] | undefined };

/** What `signInWithPasskey` came to: `signedIn` (the token is in the client's store), as `signIn` answers. */
export type PasskeySignInResult = { kind: 'signedIn'; token: string } | PasskeyCeremonyFailure;

/**
 * What `addPasskey` came to: `added`, or `secondFactor` when the account has two-factor on and the
 * code was missing (`codeRejected` false) or wrong (true): call `withCode` with one.
 */
export type AddPasskeyResult =
  | { kind: 'added'; passkey: Schemas['PasskeyResponse'] }
  | { kind: 'secondFactor'; codeRejected: boolean; withCode(otp: string): Promise<AddPasskeyResult> }
  | PasskeyCeremonyFailure;

export interface AddPasskeyInput {
  /** The account's password as typed (the helper encodes it). */
  password: string;
  /** A code of the second factor, when the account has it on. */
  otp?: string;
  /** 1 to 64 printable characters (the server's default: `Passkey`). */
  name?: string;
}

type Reply = { error?: unknown; response: Response };

/** The failure a non-2xx answer of a ceremony's call stands for. */
function serverFailure({ error, response }: Reply): PasskeyCeremonyFailure {
  if (response.status === 404) return { kind: 'notAvailable' };
  if (response.status === 503 || response.status === 429) {
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    return { kind: 'unavailable', status: response.status, retryAfter: Number.isNaN(retryAfter) ? null : retryAfter };
  }
  return { kind: 'refused', status: response.status, error: error as Schemas['BirdhouseError'] | undefined };
}

/** The browser's refusal of a ceremony: cancelled by the person, or another DOMException. */
function browserFailure(error: unknown): PasskeyCeremonyFailure {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'NotAllowedError' || name === 'AbortError') return { kind: 'cancelled' };
  return { kind: 'browserError', name: name ?? 'Error', message: message ?? String(error) };
}

/**
 * Adds a passkey to the signed-in account, in a browser: asks the server for creation options
 * (with the password, and the code when two-factor is on), lets the browser create the credential
 * (`navigator.credentials.create`: a resident key, user verification), and registers it.
 */
export async function addPasskey(client: GatehouseClient, input: AddPasskeyInput): Promise<AddPasskeyResult> {
  const credentials = browserCredentials();
  if (!credentials) return { kind: 'unsupported' };
  const { password, otp, name } = input;
  const options = await client.passkeys.options({
    pwd: encodePassword(password),
    ...(otp === undefined ? {} : { otp }),
  });
  if (!options.data) {
    if (options.response.status === 403 && options.error?.secondFactor === 'required') {
      return {
        kind: 'secondFactor',
        codeRejected: otp !== undefined,
        withCode: (code: string) => addPasskey(client, { ...input, otp: code }),
      };
    }
    return serverFailure(options);
  }
  let created: unknown;
  try {
    created = await credentials.create({
      publicKey: creationOptionsFromJSON(options.data.options as unknown as CreationOptionsJSON),
    });
  } catch (error) {
    return browserFailure(error);
  }
  if (!created) return { kind: 'cancelled' };
  const added = await client.passkeys.add(registrationToJSON(created as BrowserCredential), name);
  return added.data ? { kind: 'added', passkey: added.data.passkey } : serverFailure(added);
}

/**
 * Signs in with a passkey, in a browser: the browser offers the passkeys it holds for this site
 * (a discoverable `navigator.credentials.get`, no handle typed), and the server answers a token,
 * which goes into the client's store as `signIn`'s does.
 */
export async function signInWithPasskey(client: GatehouseClient): Promise<PasskeySignInResult> {
  const credentials = browserCredentials();
  if (!credentials) return { kind: 'unsupported' };
  const options = await client.passkeys.loginOptions();
  if (!options.data) return serverFailure(options);
  let asserted: unknown;
  try {
    asserted = await credentials.get({
      publicKey: requestOptionsFromJSON(options.data.options as unknown as RequestOptionsJSON),
    });
  } catch (error) {
    return browserFailure(error);
  }
  if (!asserted) return { kind: 'cancelled' };
  const reply = await client.passkeys.login(authenticationToJSON(asserted as BrowserCredential));
  if (!reply.data) return serverFailure(reply);
  client.tokens.set(reply.data.token);
  return { kind: 'signedIn', token: reply.data.token };
}
