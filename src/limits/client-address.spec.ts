import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import express from 'express';
import { ADDRESS_MAX_LENGTH, clientAddressOf, type TrustProxy, trustProxySetting } from './client-address';

/** The trust function Express compiles from a TRUST_PROXY list, as createApp sets it. */
function trusting(...proxies: string[]): TrustProxy {
  return express().set('trust proxy', trustProxySetting(proxies)).get('trust proxy fn') as TrustProxy;
}

function from(peer: string | undefined, forwarded?: string | string[]): IncomingMessage {
  const headers = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded };
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe('clientAddressOf', () => {
  it('is the TCP peer unless the peer is a trusted proxy', () => {
    assert.equal(clientAddressOf(from('127.0.0.1', '198.51.100.7'), trusting()), '127.0.0.1');
    assert.equal(clientAddressOf(from('10.0.0.9', '198.51.100.7'), trusting('loopback')), '10.0.0.9');
    assert.equal(clientAddressOf(from('127.0.0.1', '198.51.100.7'), trusting('loopback')), '198.51.100.7');
  });

  it('walks X-Forwarded-For from the right past trusted proxies only', () => {
    const trust = trusting('loopback', '10.0.0.0/8');
    // The client wrote 203.0.113.66 itself; the proxies appended what they saw.
    const chain = '203.0.113.66, 198.51.100.7, 10.1.2.3';
    assert.equal(clientAddressOf(from('127.0.0.1', chain), trust), '198.51.100.7');
    assert.equal(clientAddressOf(from('127.0.0.1', ['203.0.113.66', '198.51.100.7, 10.1.2.3']), trust), '198.51.100.7');
    // Every hop trusted: the leftmost entry.
    assert.equal(clientAddressOf(from('127.0.0.1', '10.0.0.1, 10.0.0.2'), trust), '10.0.0.1');
    assert.equal(clientAddressOf(from('127.0.0.1', ' , 2001:DB8::7 ,, '), trust), '2001:db8::7');
  });

  it('uses the TCP peer when the first untrusted entry is not an IP address, or does not fit', () => {
    const trust = trusting('loopback');
    for (const entry of [
      'A'.repeat(46),
      '<img src=x onerror=alert(1)>',
      'unknown',
      'proxy.example.com',
      '198.51.100.7:443',
      '[2001:db8::1]',
      '01.2.3.4',
      '1.2.3.4 5.6.7.8',
      '1.2.3.4\u0000',
      `fe80::1%${'x'.repeat(40)}`,
    ]) {
      assert.equal(clientAddressOf(from('127.0.0.1', `${entry}`), trust), '127.0.0.1', JSON.stringify(entry));
      assert.equal(clientAddressOf(from('::1', `198.51.100.7, ${entry}`), trust), '::1', JSON.stringify(entry));
    }
    // A name cannot be trusted as a proxy either: the walk stops at it.
    assert.equal(clientAddressOf(from('127.0.0.1', '198.51.100.7, localhost'), trust), '127.0.0.1');
  });

  it('writes IPv4-mapped IPv6 addresses as IPv4, and keeps short zone ids', () => {
    assert.equal(clientAddressOf(from('::ffff:127.0.0.3'), trusting()), '127.0.0.3');
    assert.equal(clientAddressOf(from('::1', '::FFFF:198.51.100.7'), trusting('loopback')), '198.51.100.7');
    assert.equal(clientAddressOf(from('::1', 'fe80::1%eth0'), trusting('loopback')), 'fe80::1%eth0');
    const longest = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255';
    assert.equal(longest.length, ADDRESS_MAX_LENGTH);
    assert.equal(clientAddressOf(from('::1', longest), trusting('loopback')), longest);
  });

  it('drops a TCP peer zone id too long to keep', () => {
    assert.equal(clientAddressOf(from(`fe80::1%${'x'.repeat(50)}`), trusting()), 'fe80::1');
  });
});
