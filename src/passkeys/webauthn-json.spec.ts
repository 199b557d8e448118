import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAuthentication, asRegistration, challengeOf } from './webauthn-json';

const clientData = (data: object) => Buffer.from(JSON.stringify(data)).toString('base64url');

const registration = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  rawId: 'AAAAAAAAAAAAAAAAAAAAAA',
  type: 'public-key',
  response: { clientDataJSON: clientData({ challenge: 'abc' }), attestationObject: 'oA', transports: ['internal'] },
  clientExtensionResults: {},
};
const assertion = {
  ...registration,
  response: { clientDataJSON: clientData({ challenge: 'abc' }), authenticatorData: 'AAAA', signature: 'AAAA' },
};

describe('the WebAuthn JSON forms', () => {
  it('takes a registration and an assertion as browsers give them', () => {
    assert.equal(asRegistration(registration), registration);
    assert.equal(asAuthentication(assertion), assertion);
    const attached = { ...assertion, authenticatorAttachment: 'platform' };
    assert.equal(asAuthentication(attached), attached);
    const withHandle = { ...assertion, response: { ...assertion.response, userHandle: 'AAAA' } };
    assert.equal(asAuthentication(withHandle), withHandle);
  });

  it('says what is wrong with anything else', () => {
    const wrong: [unknown, RegExp][] = [
      [null, /credential must be an object/],
      [[], /credential must be an object/],
      [{ ...registration, id: 'not base64url!' }, /credential.id/],
      [{ ...registration, id: 'A'.repeat(1365), rawId: 'A'.repeat(1365) }, /credential.id/],
      [{ ...registration, rawId: 'BBBB' }, /rawId must equal/],
      [{ ...registration, type: 'password' }, /credential.type/],
      [{ ...registration, clientExtensionResults: [] }, /clientExtensionResults/],
      [{ ...registration, authenticatorAttachment: 'usb' }, /authenticatorAttachment/],
      [{ ...registration, response: 'x' }, /credential.response must be an object/],
      [{ ...registration, response: { ...registration.response, clientDataJSON: 5 } }, /clientDataJSON/],
      [{ ...registration, response: { ...registration.response, attestationObject: '' } }, /attestationObject/],
      [{ ...registration, response: { ...registration.response, transports: 'usb' } }, /transports/],
      [{ ...registration, response: { ...registration.response, transports: [1] } }, /transports/],
    ];
    for (const [value, message] of wrong) assert.match(asRegistration(value) as string, message);
    assert.match(asRegistration(assertion) as string, /attestationObject/);
    assert.match(asAuthentication(registration) as string, /authenticatorData/);
    const longHandle = { ...assertion, response: { ...assertion.response, userHandle: 'A'.repeat(129) } };
    assert.match(asAuthentication(longHandle) as string, /userHandle/);
    const noSignature = { ...assertion, response: { ...assertion.response, signature: null } };
    assert.match(asAuthentication(noSignature) as string, /signature/);
  });

  it('reads the challenge a response answers from its client data, null when there is none', () => {
    assert.equal(challengeOf(clientData({ type: 'webauthn.get', challenge: 'xyz' })), 'xyz');
    assert.equal(challengeOf(clientData({ challenge: 5 })), null);
    assert.equal(challengeOf(clientData({})), null);
    assert.equal(challengeOf(clientData({ challenge: 'x'.repeat(1025) })), null);
    assert.equal(challengeOf(Buffer.from('not json').toString('base64url')), null);
    assert.equal(challengeOf(clientData([1, 2])), null);
  });
});
