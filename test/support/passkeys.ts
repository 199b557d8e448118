import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { encodeCBOR } from '@levischuck/tiny-cbor';

/** Where the test apps' relying party is by default: PASSKEY_RP_ID and PASSKEY_ORIGINS (PORT 3000). */
export const DEFAULT_RP_ID = 'localhost';
export const DEFAULT_ORIGIN = 'http://localhost:3000';

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest();
const uint32 = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/** Flags of authenticator data: user present, user verified, attested credential data included. */
const UP = 0x01;
const UV = 0x04;
const AT = 0x40;

/** What a test may bend in one ceremony, to see it refused. */
export interface Bend {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  /** Authenticator data flags (default: UP | UV, and AT at registration). */
  flags?: number;
  /** The signature counter this response carries (default: one more than the last). */
  counter?: number;
  /** The user handle an assertion carries (default: the one registration gave); null: none. */
  userHandle?: string | null;
}

/**
 * A passkey authenticator in the test process, as a browser's `navigator.credentials` would answer
 * for it: a P-256 key pair from node:crypto (ES256), attestation format `none` (CBOR by
 * @levischuck/tiny-cbor), assertions signed over authenticator data and the client data's hash,
 * and the WebAuthn JSON forms (`PublicKeyCredential.toJSON()`) as the server receives them.
 */
export class SoftwarePasskey {
  readonly credentialId = randomBytes(32);
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  counter = 0;
  /** The user handle of the account, as the creation options gave it (`user.id`). */
  userHandle: string | null = null;

  constructor(
    readonly origin = DEFAULT_ORIGIN,
    readonly rpId = DEFAULT_RP_ID,
  ) {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The answer of `navigator.credentials.create(options)`: a RegistrationResponseJSON. */
  create(options: { challenge: string; user: { id: string } }, bend: Bend = {}): Record<string, any> {
    this.userHandle = options.user.id;
    const jwk = this.publicKey.export({ format: 'jwk' });
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, new Uint8Array(Buffer.from(jwk.x!, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y!, 'base64url'))],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(bend.rpId ?? this.rpId),
      Buffer.from([bend.flags ?? UP | UV | AT]),
      uint32(bend.counter ?? this.counter),
      Buffer.alloc(16), // AAGUID: none
      idLength,
      this.credentialId,
      Buffer.from(encodeCBOR(cose)),
    ]);
    const attestation = encodeCBOR(
      new Map<string, string | Uint8Array | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge, bend),
        attestationObject: b64url(attestation),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** The answer of `navigator.credentials.get(options)`: an AuthenticationResponseJSON. */
  get(options: { challenge: string }, bend: Bend = {}): Record<string, any> {
    this.counter = bend.counter ?? this.counter + 1;
    const authData = Buffer.concat([
      sha256(bend.rpId ?? this.rpId),
      Buffer.from([bend.flags ?? UP | UV]),
      uint32(this.counter),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, bend);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
      this.privateKey,
    );
    const userHandle = bend.userHandle === undefined ? this.userHandle : bend.userHandle;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private clientData(type: string, challenge: string, bend: Bend): string {
    const data = {
      type: bend.type ?? type,
      challenge: bend.challenge ?? challenge,
      origin: bend.origin ?? this.origin,
      crossOrigin: false,
    };
    return b64url(Buffer.from(JSON.stringify(data)));
  }
}
