import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_LABEL_MAX, clientLabel } from './client-label';

describe('clientLabel', () => {
  it('names browser and system', () => {
    assert.equal(
      clientLabel('Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'),
      'Firefox on Linux',
    );
    assert.equal(
      clientLabel(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      ),
      'Chrome on Windows',
    );
    assert.equal(
      clientLabel(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
      'Safari on iOS',
    );
  });

  it('is null without a usable User-Agent', () => {
    for (const value of [undefined, '', '   ', 'x'.repeat(5000), [] as string[]])
      assert.equal(clientLabel(value), null);
    assert.equal(clientLabel('\u0000\u0001garbage'), null);
  });

  it('keeps only names the parser knows, never a product name as sent', () => {
    for (const value of [
      'Call +1-555-0100 now: your account is hacked/1.0 x',
      'Call +1-555-0100 now: your account is hacked/1.0 (x)',
      '<img src=x onerror=alert(1)>/1.0 x',
      '\u009b31mEvil/1.0 x',
      'curl/8.5.0',
      'okhttp/4.12.0',
    ])
      assert.equal(clientLabel(value), null, value);
    // A system it knows, beside a browser it does not: the system alone.
    assert.equal(clientLabel('Call us now/1.0 (X11; Linux x86_64)'), 'Linux');
    assert.equal(
      clientLabel(
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
      ),
      'Chrome on Android',
    );
  });

  it('never passes the raw header through and stays within the column', () => {
    const label = clientLabel(`Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0 ${'<script>'.repeat(100)}`);
    assert.ok(label === null || (label.length <= CLIENT_LABEL_MAX && !label.includes('<')), String(label));
  });
});
