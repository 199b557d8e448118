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

  it('never passes the raw header through and stays within the column', () => {
    const label = clientLabel(`Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0 ${'<script>'.repeat(100)}`);
    assert.ok(label === null || (label.length <= CLIENT_LABEL_MAX && !label.includes('<')), String(label));
  });
});
