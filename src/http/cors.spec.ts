import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handshakeOriginAllowed } from './cors';

describe('handshakeOriginAllowed', () => {
  const listed = { corsOrigins: ['https://app.example.com'] };
  it('lets through clients that send no Origin, the own origin and listed origins', () => {
    assert.equal(handshakeOriginAllowed(listed, undefined, 'gate.example.com'), true);
    assert.equal(handshakeOriginAllowed(listed, 'https://gate.example.com', 'gate.example.com'), true);
    assert.equal(handshakeOriginAllowed(listed, 'https://app.example.com', 'gate.example.com'), true);
    assert.equal(handshakeOriginAllowed({ corsOrigins: '*' }, 'https://any.example.org', 'gate.example.com'), true);
  });
  it('refuses other origins and unparseable ones', () => {
    assert.equal(handshakeOriginAllowed(listed, 'https://evil.example.net', 'gate.example.com'), false);
    assert.equal(handshakeOriginAllowed({ corsOrigins: [] }, 'http://127.0.0.2:8080', '127.0.0.1:3000'), false);
    assert.equal(handshakeOriginAllowed(listed, 'null', 'gate.example.com'), false);
  });
});
