'use strict';
/*
 * A passkey authenticator in the benchmark process (as test/support/passkeys.ts is in the specs):
 * a P-256 key from node:crypto, attestation format `none` (CBOR by @levischuck/tiny-cbor), and
 * assertions signed over authenticator data and the client data's hash, in the WebAuthn JSON
 * forms. Its signature counter stays 0, as synced passkeys keep it, so that concurrent sign-ins
 * with one key are not refused as a counter gone back.
 */
const { createHash, generateKeyPairSync, randomBytes, sign } = require('node:crypto');

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const sha256 = (data) => createHash('sha256').update(data).digest();

class SoftwarePasskey {
  constructor(origin, rpId = 'localhost') {
    this.origin = origin;
    this.rpId = rpId;
    this.credentialId = randomBytes(32);
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.userHandle = null;
  }

  get id() {
    return b64url(this.credentialId);
  }

  clientData(type, challenge) {
    return b64url(Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false })));
  }

  /** RegistrationResponseJSON for the creation options. */
  async create(options) {
    // tiny-cbor is an ES module with a CommonJS build; loaded once, on first use.
    const { encodeCBOR } = require('@levischuck/tiny-cbor');
    this.userHandle = options.user.id;
    const jwk = this.publicKey.export({ format: 'jwk' });
    const cose = new Map([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(this.rpId),
      Buffer.from([0x45]), // user present, user verified, attested credential data
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      this.credentialId,
      Buffer.from(encodeCBOR(cose)),
    ]);
    const attestation = encodeCBOR(
      new Map([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData('webauthn.create', options.challenge),
        attestationObject: b64url(attestation),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    };
  }

  /** AuthenticationResponseJSON for the request options. */
  get(options) {
    const authData = Buffer.concat([sha256(this.rpId), Buffer.from([0x05]), Buffer.alloc(4)]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]),
      this.privateKey,
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
    };
  }
}

module.exports = { SoftwarePasskey };
