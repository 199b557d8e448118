import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressGroup } from './address-group';

describe('addressGroup', () => {
  it('keeps an IPv4 address, and anything that is not an address, as it is', () => {
    assert.equal(addressGroup('203.0.113.7'), '203.0.113.7');
    assert.equal(addressGroup('127.0.0.2'), '127.0.0.2');
    assert.equal(addressGroup('unknown'), 'unknown');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    const group = '2001:db8:0:1::/64';
    for (const address of [
      '2001:db8:0:1::1',
      '2001:db8:0:1:ffff:ffff:ffff:ffff',
      '2001:0DB8:0000:0001:0000:0000:0000:0042',
      '2001:db8::1:0:0:0:1',
      '2001:db8:0:1:a:b:1.2.3.4',
      '2001:db8:0:1::1%eth0',
    ])
      assert.equal(addressGroup(address), group, address);
  });

  it('tells /64 networks apart', () => {
    assert.notEqual(addressGroup('2001:db8:0:1::1'), addressGroup('2001:db8:0:2::1'));
    assert.equal(addressGroup('::1'), '0:0:0:0::/64');
    assert.equal(addressGroup('::'), '0:0:0:0::/64');
    assert.equal(addressGroup('fe80::1'), 'fe80:0:0:0::/64');
    assert.equal(addressGroup('1::'), '1:0:0:0::/64');
    assert.equal(addressGroup('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
  });
});
