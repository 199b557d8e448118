/**
 * Characters that must never reach a terminal or a log viewer as they are: the C0 controls
 * (ESC starts terminal escape sequences, CR and LF forge lines), DEL, the C1 controls (U+009B
 * is a one-character CSI on many terminals), the bidirectional overrides, embeddings, isolates
 * and marks (which reorder what follows them on screen), the line and paragraph separators, and
 * lone surrogates (half of a character, which no output encoding can carry).
 */
const UNPRINTABLE = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/gu;

/** Whether `text` holds none of the characters escapeControlCharacters escapes. */
export function isPrintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return !UNPRINTABLE.test(text);
}

/**
 * `text` with every unprintable character (see UNPRINTABLE) written as a visible escape, for
 * printing stored data to a person: C0 controls and DEL as `\xHH` (`\x1b`), every other one as
 * `\uHHHH` (`\u0085`, `\u202e`, a lone `\ud800`), so that the code point is named rather than a
 * byte. Everything else, backslashes included, is left as it is: the result is for reading,
 * not for parsing back.
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const code = character.charCodeAt(0);
    const hex = code.toString(16).padStart(code < 0x80 ? 2 : 4, '0');
    return code < 0x80 ? `\\x${hex}` : `\\u${hex}`;
  });
}

/**
 * `value` with escapeControlCharacters applied to every string in it, object keys and array
 * items included, at any depth: for structured results shown to a person (an MCP tool's).
 */
export function escapeControlCharactersIn<T>(value: T): T {
  if (typeof value === 'string') return escapeControlCharacters(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => escapeControlCharactersIn(item)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [escapeControlCharacters(key), escapeControlCharactersIn(item)]),
  ) as T;
}

/**
 * A line of JSON with every unprintable character still in it (JSON.stringify escapes only the C0
 * controls) written as a `\uHHHH` escape, so that the line stays JSON that reads back to the same
 * value, and prints nothing a terminal would act on.
 */
export function escapeJsonLine(json: string): string {
  return json.replace(UNPRINTABLE, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Whether `text` is a name a person gave something (an access token, a passkey): 1 to `max`
 * characters (code points), not blank, printable (isPrintable), and free of every other
 * control, format, private-use or unassigned character but the zero-width joiner inside emoji.
 */
export function isPrintableName(text: string, max = 64): boolean {
  const length = [...text].length;
  return length >= 1 && length <= max && isPrintable(text) && !/^\s*$/u.test(text) && !/(?!\u200d)\p{C}/u.test(text);
}
