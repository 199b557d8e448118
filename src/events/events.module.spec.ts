import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knownEventNames } from './events.module';

describe('knownEventNames', () => {
  it("adds the modules' names to Gatehouse's, and refuses a malformed, duplicate or too long one", () => {
    const known = knownEventNames(['note.published']);
    assert.ok(known.has('note.published') && known.has('sign-in.succeeded'));
    assert.throws(() => knownEventNames(['Note.Published']), /lower-case words joined by dots/);
    assert.throws(() => knownEventNames(['sign-in.succeeded']), /declared twice/);
    assert.throws(() => knownEventNames([`note.${'x'.repeat(60)}`]), /at most 64 characters/);
    assert.ok(knownEventNames([`note.${'x'.repeat(59)}`]).has(`note.${'x'.repeat(59)}`));
  });
});
