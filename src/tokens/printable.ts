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
