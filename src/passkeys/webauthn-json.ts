import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/**
 * The WebAuthn JSON forms of a browser's responses (`PublicKeyCredential.toJSON()`), checked for
 * shape only: whether they verify is the server library's to say. Anything else is bad input
 * (400); a well-formed response that does not verify is not.
 */

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
/** A credential id is at most 1,023 bytes (WebAuthn Level 3): 1,364 base64url characters. */
const MAX_CREDENTIAL_ID = 1_364;
/** Generous for any field of a response; the body itself is at most 64 KiB. */
const MAX_FIELD = 60_000;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const isBase64url = (value: unknown, max = MAX_FIELD): value is string =>
  typeof value === 'string' && value.length <= max && BASE64URL.test(value);
const optional = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);

/** Why `value` is not a credential of the JSON form, common part; null when it is. */
function credentialProblem(value: unknown): string | null {
  if (!isObject(value)) return 'credential must be an object (PublicKeyCredential.toJSON())';
  if (!isBase64url(value.id, MAX_CREDENTIAL_ID)) return 'credential.id must be base64url of at most 1023 bytes';
  if (value.rawId !== value.id) return 'credential.rawId must equal credential.id';
  if (value.type !== 'public-key') return 'credential.type must be "public-key"';
  if (!isObject(value.clientExtensionResults)) return 'credential.clientExtensionResults must be an object';
  if (!optional(value.authenticatorAttachment, (v) => v === 'platform' || v === 'cross-platform'))
    return 'credential.authenticatorAttachment must be "platform" or "cross-platform"';
  if (!isObject(value.response)) return 'credential.response must be an object';
  if (!isBase64url(value.response.clientDataJSON)) return 'credential.response.clientDataJSON must be base64url';
  return null;
}

/** The registration response, or the reason it is not one. */
export function asRegistration(value: unknown): RegistrationResponseJSON | string {
  const problem = credentialProblem(value);
  if (problem) return problem;
  const response = (value as Json).response as Json;
  if (!isBase64url(response.attestationObject)) return 'credential.response.attestationObject must be base64url';
  if (
    !optional(
      response.transports,
      (v) => Array.isArray(v) && v.length <= 16 && v.every((t) => typeof t === 'string' && t.length <= 32),
    )
  )
    return 'credential.response.transports must be a list of strings';
  if (!optional(response.authenticatorData, (v) => isBase64url(v)))
    return 'credential.response.authenticatorData must be base64url';
  if (!optional(response.publicKey, (v) => isBase64url(v))) return 'credential.response.publicKey must be base64url';
  if (!optional(response.publicKeyAlgorithm, (v) => Number.isInteger(v)))
    return 'credential.response.publicKeyAlgorithm must be an integer';
  return value as RegistrationResponseJSON;
}

/** The authentication response (a sign-in's assertion), or the reason it is not one. */
export function asAuthentication(value: unknown): AuthenticationResponseJSON | string {
  const problem = credentialProblem(value);
  if (problem) return problem;
  const response = (value as Json).response as Json;
  if (!isBase64url(response.authenticatorData)) return 'credential.response.authenticatorData must be base64url';
  if (!isBase64url(response.signature)) return 'credential.response.signature must be base64url';
  if (!optional(response.userHandle, (v) => isBase64url(v, 128)))
    return 'credential.response.userHandle must be base64url of at most 64 bytes';
  return value as AuthenticationResponseJSON;
}

/** The challenge a response answers, as its client data names it; null when it names none. */
export function challengeOf(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as unknown;
    return isObject(data) && typeof data.challenge === 'string' && data.challenge.length <= 1024
      ? data.challenge
      : null;
  } catch {
    return null;
  }
}
