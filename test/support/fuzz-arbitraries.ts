import fc from 'fast-check';

// Property-based testing: run bounds and shared arbitraries (fuzz.ts re-exports them).

/** Runs per property: small by default so CI stays fast; `FUZZ_RUNS=2000` for a long run. */
export const FUZZ_RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 60));

/**
 * fast-check parameters for one property: FUZZ_RUNS runs, stopped (as a success, once at least
 * one run passed) when the property has used its time: 20 s by default, or 50 ms per run when
 * that is more. FUZZ_SEED replays a reported failure.
 */
export function fuzzParameters(): fc.Parameters<unknown> {
  const limitMs = Number(process.env.FUZZ_PROPERTY_MS ?? Math.max(20_000, FUZZ_RUNS * 50));
  return {
    numRuns: FUZZ_RUNS,
    plugins: [fc.interruptAfterTimeLimit(limitMs)],
    ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}),
  };
}

/** Any UTF-16 code unit, lone surrogates included: what JSON's \u escapes can carry. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

/** Text from every corner of Unicode: any code point, grapheme clusters, and lone surrogates. */
export const anyText = (maxLength = 80): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: codeUnit, maxLength }),
    fc.string({
      unit: fc.constantFrom(' ', '\t', '\n', '\u0000', '\u00a0', '\u200b', '\u202e', '\ufeff', 'ﬃ', 'İ', 'ß', 'K'),
      maxLength: 8,
    }),
  );

/** A JSON number literal as text, including ones no double can hold. */
export const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.bigInt({ min: -(10n ** 400n), max: 10n ** 400n }).map(String),
  fc
    .double()
    .filter(Number.isFinite)
    .map((d) => JSON.stringify(d)),
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.stringMatching(/^(0|[1-9][0-9]{0,30})$/),
      fc.stringMatching(/^(\.[0-9]{1,30})?$/),
      fc.integer({ min: -99999, max: 99999 }),
    )
    .map(([sign, int, frac, exp]) => `${sign}${int}${frac}e${exp}`),
  fc.constantFrom('-0', '0.0', '1e400', '-1e400', '1e-400', '9007199254740993', '123456789012345678901234567890'),
);

/** Deeply nested JSON text under `maxBytes`: arrays, objects or both, with a leaf in the middle. */
export const deepJson = (maxBytes: number): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('[', '{"a":', '[{"a":'),
      fc.constantFrom('', '1', '"x"', 'null'),
      fc.integer({ min: 1, max: 40_000 }),
    )
    .map(([open, leaf, wanted]) => {
      const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
      const depth = Math.min(wanted, Math.floor((maxBytes - 16) / (open.length + close.length)));
      // An object needs a value: an empty leaf inside objects becomes null.
      const inner = leaf === '' && open !== '[' ? 'null' : leaf;
      return open.repeat(depth) + inner + close.repeat(depth);
    });

/** A header value Node will send: tab, printable ASCII and Latin-1 bytes. */
export const headerValue = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({
      unit: fc.constantFrom('\t', ' ', ...Array.from({ length: 0x5f }, (_, i) => String.fromCharCode(0x20 + i))),
      maxLength,
    }),
    fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
    fc.string({
      unit: fc.constantFrom('\t', ' ', 'A', '0', '-', '_', '.', '~', '+', '/', '=', 'é', '\u00ff'),
      maxLength,
    }),
  );

/** The Authentication / Authorization forms of section 2, filled with arbitrary tokens. */
export const authorizationValue: fc.Arbitrary<string> = fc.oneof(
  headerValue(),
  fc
    .tuple(
      fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'Bearer:', ''),
      fc.constantFrom(' ', '  ', '\t', ''),
      headerValue(80),
    )
    .map(([scheme, gap, token]) => `${scheme}${gap}${token}`),
  fc.base64String({ maxLength: 64 }).map((t) => `Bearer ${t}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((t) => `Bearer   ${t}`),
);

/** Content types: JSON's own, its look-alikes, other types, and arbitrary text. */
export const contentType: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset=utf-16',
    'application/json; charset=utf-7',
    'application/json; charset=latin1',
    'application/json; charset=',
    'application/json; charset="utf-8"',
    'application/json; boundary=x',
    'application/vnd.api+json',
    'application/problem+json',
    'application/jsonx',
    'application/json-seq',
    'text/json',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/octet-stream',
    '*/*',
    'application/*',
    'json',
    '',
    ';',
    'application/json, text/plain',
    'application/json;;',
    'application /json',
  ),
  fc
    .tuple(fc.stringMatching(/^[a-z*]{0,12}$/), fc.stringMatching(/^[a-z0-9.+*-]{0,16}$/), headerValue(30))
    .map(([type, subtype, rest]) => `${type}/${subtype}${rest}`),
  headerValue(60),
);
