import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { eachEngine } from './support/engines';
import {
  anyText,
  contentType,
  deepJson,
  fuzzParameters,
  headerValue,
  JSON_TYPE,
  json,
  numberLiteral,
} from './support/fuzz';
import { fuzzHarness, GET_TARGETS, POST_TARGETS } from './support/fuzz-harness';

/**
 * Property-based tests of CONTRACT section 6 on the shape of requests (bodies, number
 * literals, nesting, bytes, encodings, headers): whatever arrives, the answer is a 2xx or a 4xx
 * in the dialect's shape, the process keeps serving, and no account or token changes unless the
 * request succeeded (then exactly the expected rows are added). FUZZ_RUNS sets the runs per
 * property (default 60); see support/fuzz.ts and support/fuzz-harness.ts.
 */

eachEngine(__filename, (db) => {
  const fuzz = fuzzHarness(db);

  const postTarget = fc.constantFrom(...POST_TARGETS);

  it('POST endpoints: an arbitrary JSON value as the body', async () => {
    await fc.assert(
      fc.asyncProperty(postTarget, fc.jsonValue({ maxDepth: 6 }), async (target, value) => {
        await fuzz.exchange(target, { body: json(value), headers: JSON_TYPE }, 'arbitrary JSON');
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: the right keys, each maybe missing, with arbitrary values, and maybe extra keys', async () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      anyText(),
      fc.constantFrom('', 'x', 'good-password', 'A'.repeat(43)),
    );
    const extraKey = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'LOGIN', 'Token'),
    );
    const extras = fc.dictionary(extraKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 });
    const body = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.record(Object.fromEntries(target.fields.map((f) => [f, value])), { requiredKeys: [] }),
        fc.option(extras, { nil: undefined }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([target, fields, extra]) => {
        const sent = { ...fields, ...extra };
        const identifier = sent.login ?? sent.handle;
        await fuzz.exchange(
          target,
          { body: json(sent), headers: JSON_TYPE },
          `body ${json(sent).slice(0, 200)}`,
          identifier,
        );
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: huge, tiny and odd number literals in place of any field', async () => {
    const body = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.array(fc.option(numberLiteral, { nil: undefined }), {
          minLength: target.fields.length,
          maxLength: target.fields.length,
        }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([target, numbers]) => {
        const valid = fuzz.validBody(target);
        // Each field is either its valid value or a raw number literal.
        const members = target.fields.map((f, i) => `${JSON.stringify(f)}:${numbers[i] ?? JSON.stringify(valid[f])}`);
        const text = `{${members.join(',')}}`;
        await fuzz.exchange(
          target,
          { body: text, headers: JSON_TYPE },
          `numbers ${text.slice(0, 200)}`,
          valid.login ?? valid.handle,
        );
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: deep nesting under 64 KiB, as the body or as a field', async () => {
    const body = fc.tuple(postTarget, fc.nat(), deepJson(60_000), fc.boolean());
    await fc.assert(
      fc.asyncProperty(body, async ([target, which, nested, asField]) => {
        let text = nested;
        if (asField) {
          const valid = fuzz.validBody(target);
          const field = target.fields[which % target.fields.length];
          text = json({ ...valid, [field]: '\u0000hole' }).replace('"\\u0000hole"', nested);
        }
        assert.ok(Buffer.byteLength(text) <= 64 * 1024);
        const reply = await fuzz.exchange(
          target,
          { body: text, headers: JSON_TYPE },
          `nesting of ${text.length} bytes`,
        );
        assert.equal(reply.status, 400, `${target.path}: nesting ${text.slice(0, 40)}…`);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: arbitrary bytes, and valid bodies with one character changed', async () => {
    const mutated = postTarget.chain((target) =>
      fc.tuple(
        fc.constant(target),
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }).map((bytes) => ({ raw: Buffer.from(bytes) as string | Buffer })),
          fc.string({ unit: 'binary', maxLength: 300 }).map((text) => ({ raw: text as string | Buffer })),
          fc
            .tuple(
              fc.nat(),
              fc.constantFrom('delete', 'insert', 'replace'),
              fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
            )
            .map(([at, how, char]) => ({ at, how, char })),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async ([target, change]) => {
        let body: string | Buffer;
        if ('raw' in change) {
          body = change.raw;
        } else {
          const text = json(fuzz.validBody(target));
          const at = change.at % (text.length + 1);
          const keep = change.how === 'insert' ? at : at + 1;
          body = text.slice(0, at) + (change.how === 'delete' ? '' : change.char) + text.slice(keep);
        }
        const shown = typeof body === 'string' ? body.slice(0, 200) : `${body.length} bytes`;
        await fuzz.exchange(target, { body, headers: JSON_TYPE }, `raw ${JSON.stringify(shown)}`);
      }),
      fuzzParameters(),
    );
  });

  it('POST endpoints: odd content types and encodings, with a body that is otherwise valid', async () => {
    const encodings = fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress', 'x-gzip', 'gzip, gzip', 'GZIP');
    const encoding = fc.option(fc.oneof(encodings, headerValue(20)), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        postTarget,
        contentType,
        encoding,
        fc.boolean(),
        async (target, type, contentEncoding, chunked) => {
          const valid = fuzz.validBody(target);
          const headers: Record<string, string> = { 'content-type': type };
          if (contentEncoding !== undefined) headers['content-encoding'] = contentEncoding;
          const context = `content type ${JSON.stringify(type)} encoding ${JSON.stringify(contentEncoding)}`;
          await fuzz.exchange(target, { body: json(valid), headers, chunked }, context, valid.login ?? valid.handle);
        },
      ),
      fuzzParameters(),
    );
  });

  it('GET endpoints: arbitrary other headers change nothing', async () => {
    const names = fc.oneof(
      fc.constantFrom(
        'x-forwarded-for',
        'forwarded',
        'x-real-ip',
        'origin',
        'referer',
        'accept',
        'accept-encoding',
        'accept-language',
        'cookie',
        'user-agent',
        'x-http-method-override',
        'x-requested-with',
        'cache-control',
        'pragma',
        'range',
        'via',
        'content-type',
        'content-encoding',
      ),
      fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GET_TARGETS),
        fc.dictionary(names, headerValue(100), { maxKeys: 4 }),
        async (target, extra) => {
          await fuzz.exchange(target, { headers: extra }, `headers ${JSON.stringify(extra).slice(0, 300)}`);
        },
      ),
      fuzzParameters(),
    );
  });
});
