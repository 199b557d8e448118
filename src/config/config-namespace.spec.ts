import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from './config';
import { type ConfigNamespaceClass, configNamespace, parseNamespaces, setting } from './config-namespace';

class NotesConfig extends configNamespace('NOTES', {
  NOTES_MAX_LENGTH: setting.integer({ default: 500, min: 1, max: 500 }),
  NOTES_RETENTION: setting.duration({ default: 'off', min: '1m', off: true }),
  NOTES_SHARING: setting.onOff({ default: false }),
  NOTES_ORDER: setting.choice({ default: 'newest', values: ['newest', 'oldest'] }),
  NOTES_TAGS: setting.list({ default: 'a, b', check: (tag) => (/^[a-z]+$/.test(tag) ? null : 'lower-case words') }),
}) {}

function refusal(env: Record<string, string>, namespaces: ConfigNamespaceClass[] = [NotesConfig]): string {
  try {
    parseNamespaces(env, namespaces);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    return error.message;
  }
  assert.fail('accepted');
}

describe('configuration namespaces', () => {
  it('gives the defaults, typed, on an instance of the class', () => {
    const parsed = parseNamespaces({}, [NotesConfig]).get(NotesConfig) as NotesConfig;
    assert.ok(parsed instanceof NotesConfig);
    assert.deepEqual(
      [parsed.NOTES_MAX_LENGTH, parsed.NOTES_RETENTION, parsed.NOTES_SHARING, parsed.NOTES_ORDER, parsed.NOTES_TAGS],
      [500, null, false, 'newest', ['a', 'b']],
    );
    assert.ok(Object.isFrozen(parsed));
  });

  it('reads the environment, blank as unset', () => {
    const parsed = parseNamespaces(
      { NOTES_MAX_LENGTH: ' 20 ', NOTES_RETENTION: '2h', NOTES_SHARING: 'on', NOTES_ORDER: '', NOTES_TAGS: 'x' },
      [NotesConfig],
    ).get(NotesConfig) as NotesConfig;
    assert.deepEqual(
      [parsed.NOTES_MAX_LENGTH, parsed.NOTES_RETENTION, parsed.NOTES_SHARING, parsed.NOTES_ORDER, parsed.NOTES_TAGS],
      [20, 7_200_000, true, 'newest', ['x']],
    );
  });

  it("refuses a bad value with Gatehouse's one-line messages", () => {
    assert.equal(refusal({ NOTES_MAX_LENGTH: 'x' }), 'NOTES_MAX_LENGTH must be a whole number from 1 to 500, got "x"');
    assert.match(
      refusal({ NOTES_RETENTION: '10s' }),
      /^NOTES_RETENTION must be a number of seconds .* \(at least 60s\), got "10s"$/,
    );
    assert.equal(refusal({ NOTES_SHARING: 'yes' }), 'NOTES_SHARING must be on or off, got "yes"');
    assert.equal(refusal({ NOTES_ORDER: 'random' }), 'NOTES_ORDER must be newest, oldest, got "random"');
    assert.equal(refusal({ NOTES_TAGS: 'ok,Bad' }), 'NOTES_TAGS entries must be lower-case words, got "Bad"');
  });

  it("refuses a variable declared twice, or one of Gatehouse's own", () => {
    class Again extends configNamespace('NOTES', {
      NOTES_MAX_LENGTH: setting.integer({ default: 1, min: 1, max: 2 }),
    }) {}
    assert.match(refusal({}, [NotesConfig, Again]), /NOTES_MAX_LENGTH is declared by both NotesConfig and Again/);
    class Token extends configNamespace('TOKEN', { TOKEN_TTL: setting.text({ default: '' }) }) {}
    assert.match(refusal({}, [Token]), /TOKEN_TTL is declared by both Gatehouse and Token/);
  });

  it('keeps every variable under its prefix', () => {
    assert.throws(
      () => configNamespace('NOTES', { OTHER_THING: setting.text({ default: '' }) }),
      /must start with NOTES_/,
    );
    assert.throws(() => configNamespace('NOTES', { NOTESX: setting.text({ default: '' }) }), /must start with NOTES_/);
    const Switch = configNamespace('NOTES', { NOTES: setting.onOff({ default: false }) });
    assert.equal((parseNamespaces({ NOTES: 'on' }, [Switch]).get(Switch) as { NOTES: boolean }).NOTES, true);
    assert.throws(() => configNamespace('notes', {}), /must be upper-case/);
  });
});
