/** Longest identifier, in code points after NFKC normalisation. */
export const IDENTIFIER_MAX_LENGTH = 64;

/**
 * Longest identifier as typed, in code points. NFKC can shrink text (a letter plus a combining
 * accent becomes one code point), so the display form may be longer than 64; this bounds it to
 * what the column holds.
 */
const DISPLAY_MAX_LENGTH = 255;

/**
 * Whitespace, controls, format characters (zero-width joiners, direction overrides), lone
 * surrogates, private-use and unassigned code points: none may appear in an identifier, since
 * each either cannot be stored faithfully or lets two identifiers look alike.
 */
const FORBIDDEN = /[\p{White_Space}\p{Z}\p{C}]/u;

export interface Identifier {
  /** As the user typed it: what is shown back. */
  display: string;
  /** NFKC, case-folded: what uniqueness and sign-in compare. */
  key: string;
}

export type IdentifierCheck = { ok: true; value: Identifier } | { ok: false; reason: string };

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The lookup key: NFKC, then a full case fold. JavaScript has no casefold(), so it is built
 * from toUpperCase() then toLowerCase(): upper-casing expands `ß` to `SS` and maps `ς` and `ſ`
 * to `Σ` and `S`, so every case variant lands on one key; the final NFKC keeps the result in
 * normal form.
 */
export function identifierKey(text: string): string {
  return text.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

export function checkIdentifier(text: string): IdentifierCheck {
  if (!text.isWellFormed()) return { ok: false, reason: 'must be valid Unicode text' };
  const normalised = text.normalize('NFKC');
  const length = codePoints(normalised);
  if (length < 1 || length > IDENTIFIER_MAX_LENGTH || codePoints(text) > DISPLAY_MAX_LENGTH) {
    return { ok: false, reason: `must be 1 to ${IDENTIFIER_MAX_LENGTH} characters` };
  }
  if (FORBIDDEN.test(normalised) || FORBIDDEN.test(text)) {
    return { ok: false, reason: 'must not contain whitespace or control characters' };
  }
  return { ok: true, value: { display: text, key: identifierKey(text) } };
}
