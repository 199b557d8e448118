/**
 * The WebAuthn JSON forms Gatehouse speaks (binary fields as base64url without padding), and their
 * conversion to and from what the browser's `navigator.credentials` takes and gives. The browser
 * types are written out here, as far as they are used, so that the package type-checks without
 * the DOM library (a Node service) and behaves the same in every browser, including those without
 * `PublicKeyCredential.parseCreationOptionsFromJSON`.
 */

/** base64url without padding, as the WebAuthn JSON forms write binary fields. */
export type Base64URLString = string;

interface CredentialDescriptorJSON {
  id: Base64URLString;
  type: string;
  transports?: string[];
}

/** `PublicKeyCredentialCreationOptionsJSON`, as `POST /api/auth/passkeys/options` answers it. */
export interface CreationOptionsJSON {
  challenge: Base64URLString;
  rp: { id?: string; name: string };
  user: { id: Base64URLString; name: string; displayName: string };
  pubKeyCredParams: { type: string; alg: number }[];
  excludeCredentials?: CredentialDescriptorJSON[];
  [field: string]: unknown;
}

/** `PublicKeyCredentialRequestOptionsJSON`, as `POST /api/auth/passkey/login/options` answers it. */
export interface RequestOptionsJSON {
  challenge: Base64URLString;
  allowCredentials?: CredentialDescriptorJSON[];
  [field: string]: unknown;
}

/** `RegistrationResponseJSON`: what `POST /api/auth/passkeys` takes as `credential`. */
export interface RegistrationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  type: string;
  response: {
    clientDataJSON: Base64URLString;
    attestationObject: Base64URLString;
    transports?: string[];
  };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: string;
}

/** `AuthenticationResponseJSON`: what `POST /api/auth/passkey/login` takes as `credential`. */
export interface AuthenticationResponseJSON {
  id: Base64URLString;
  rawId: Base64URLString;
  type: string;
  response: {
    clientDataJSON: Base64URLString;
    authenticatorData: Base64URLString;
    signature: Base64URLString;
    userHandle?: Base64URLString;
  };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment?: string;
}

/** What the ceremonies read of a `PublicKeyCredential` (the browser's type, structurally). */
export interface BrowserCredential {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  getClientExtensionResults(): unknown;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    getTransports?: () => string[];
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
  };
}

/** base64url (padding optional) to bytes. Throws on anything that is not base64url. */
export function base64urlToBuffer(text: Base64URLString): ArrayBuffer {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError('not base64url');
  const base64 = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Bytes to base64url without padding. */
export function bufferToBase64url(buffer: ArrayBuffer | ArrayBufferView): Base64URLString {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptor = (credential: CredentialDescriptorJSON) => ({ ...credential, id: base64urlToBuffer(credential.id) });

/** The creation options JSON as `navigator.credentials.create({ publicKey })` takes them. */
export function creationOptionsFromJSON(json: CreationOptionsJSON) {
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map(descriptor),
  };
}

/** The request options JSON as `navigator.credentials.get({ publicKey })` takes them. */
export function requestOptionsFromJSON(json: RequestOptionsJSON) {
  const { allowCredentials, ...rest } = json;
  return {
    ...rest,
    challenge: base64urlToBuffer(json.challenge),
    ...(allowCredentials ? { allowCredentials: allowCredentials.map(descriptor) } : {}),
  };
}

function common(credential: BrowserCredential) {
  return {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    clientExtensionResults: (credential.getClientExtensionResults() ?? {}) as Record<string, unknown>,
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  };
}

/** What `navigator.credentials.create` gave, as `RegistrationResponseJSON`. */
export function registrationToJSON(credential: BrowserCredential): RegistrationResponseJSON {
  const { response } = credential;
  if (!response.attestationObject) throw new TypeError('not a registration response');
  return {
    ...common(credential),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      attestationObject: bufferToBase64url(response.attestationObject),
      transports: typeof response.getTransports === 'function' ? response.getTransports() : [],
    },
  };
}

/** What `navigator.credentials.get` gave, as `AuthenticationResponseJSON`. */
export function authenticationToJSON(credential: BrowserCredential): AuthenticationResponseJSON {
  const { response } = credential;
  if (!response.authenticatorData || !response.signature) throw new TypeError('not an authentication response');
  return {
    ...common(credential),
    response: {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      authenticatorData: bufferToBase64url(response.authenticatorData),
      signature: bufferToBase64url(response.signature),
      ...(response.userHandle ? { userHandle: bufferToBase64url(response.userHandle) } : {}),
    },
  };
}
