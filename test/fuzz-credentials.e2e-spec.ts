import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { eachEngine } from './support/engines';
import {
  anyText,
  authorizationValue,
  fuzzParameters,
  headerValue,
  JSON_TYPE,
  json,
  type RawRequest,
} from './support/fuzz';
import { CREDENTIAL_TARGETS, fuzzHarness, GET_TARGETS, HANDSHAKE_WAIT_MS, POST_TARGETS } from './support/fuzz-harness';
import { b64 } from './support/http';
import { type ClientOptions, openSocket, refusal, whoami } from './support/sockets';

/**
 * Property-based tests of CONTRACT section 6 and the socket.io handshake of section 7, on
 * identifiers, passwords and tokens: whatever arrives, the answer is a 2xx or a 4xx in the
 * dialect's shape, the process keeps serving, and no account or token changes unless the
 * request succeeded (then exactly the expected rows are added). FUZZ_RUNS sets the runs per
 * property (default 60); see support/fuzz.ts and support/fuzz-harness.ts.
 */

eachEngine(__filename, (db) => {
  const fuzz = fuzzHarness(db);

  const credentialTarget = fc.constantFrom(...CREDENTIAL_TARGETS);

  it('credential endpoints: arbitrary Unicode identifiers and passwords (a valid pair may succeed, and is accounted for)', async () => {
    const identifier = fc.oneof(
      anyText(80),
      fc.stringMatching(/^[A-Za-z0-9._-]{1,70}$/),
      fc.string({ unit: 'grapheme', minLength: 60, maxLength: 70 }),
      fc.constantFrom(
        fuzz.owner.login,
        fuzz.owner.login.toUpperCase(),
        fuzz.owner.login.toLowerCase(),
        ` ${fuzz.owner.login}`,
        `${fuzz.owner.login}\u0000`,
        fuzz.owner.login.normalize('NFKD'),
      ),
    );
    const password = fc.oneof(
      anyText(40),
      fc.string({ minLength: 6, maxLength: 30 }),
      fc.string({ minLength: 1000, maxLength: 1100 }),
      fc.constant(fuzz.owner.password),
    );
    const base64Alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n'];
    const pwd = fc.oneof(
      password.map(b64),
      password.map((p) => b64(p).replace(/=+$/, '')),
      fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc.string({ unit: fc.constantFrom(...base64Alphabet), maxLength: 24 }),
      anyText(20),
    );
    await fc.assert(
      fc.asyncProperty(credentialTarget, identifier, password, pwd, async (target, id, pw, encoded) => {
        const body = target.fields[0] === 'login' ? { login: id, password: pw } : { handle: id, pwd: encoded };
        await fuzz.exchange(
          target,
          { body: json(body), headers: JSON_TYPE },
          `credentials ${json(body).slice(0, 200)}`,
          id,
        );
      }),
      fuzzParameters(),
    );
  });

  it('every endpoint: arbitrary Authentication and Authorization headers (ignored where no token is needed)', async () => {
    const headers = fc.record(
      { authentication: authorizationValue, authorization: authorizationValue },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_TARGETS, ...GET_TARGETS), headers, async (target, sent) => {
        const valid = fuzz.validBody(target);
        const request: RawRequest =
          target.method === 'POST' ? { body: json(valid), headers: { ...JSON_TYPE, ...sent } } : { headers: sent };
        // Replaces the owner's token: an arbitrary header is never a valid one.
        const unsigned = {
          ...target,
          signedIn: false,
          statuses: target.signedIn ? [401] : [target.validStatus ?? 200],
        };
        await fuzz.exchange(
          unsigned,
          request,
          `headers ${JSON.stringify(sent).slice(0, 300)}`,
          valid.login ?? valid.handle,
        );
      }),
      fuzzParameters(),
    );
  });

  it('socket.io: a handshake with arbitrary auth payloads and headers is refused with Unauthorized', async () => {
    const tokenValue = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      anyText(),
      fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      fc.string({ minLength: 500, maxLength: 700 }),
      fc.constantFrom(
        `Bearer ${fuzz.owner.token}`,
        ` ${fuzz.owner.token}`,
        fuzz.owner.token.slice(1),
        fuzz.owner.token.toUpperCase(),
      ),
    );
    const auth = fc.oneof(
      fc.record({ token: tokenValue }),
      fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 10 }),
          fc.constantFrom('Token', 'authentication', 'authorization', '__proto__'),
        ),
        fc.jsonValue({ maxDepth: 3 }),
        { maxKeys: 4 },
      ),
    );
    const headers = fc.record(
      { authentication: authorizationValue, authorization: authorizationValue, 'x-forwarded-for': headerValue(40) },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.option(auth, { nil: undefined }),
        fc.option(headers, { nil: undefined }),
        async (payload, extraHeaders) => {
          const options: ClientOptions = {};
          if (payload !== undefined) options.auth = payload as Record<string, unknown>;
          if (extraHeaders !== undefined) options.extraHeaders = extraHeaders;
          const context = `handshake ${JSON.stringify(options).slice(0, 300)}`;
          const outcome = await refusal(fuzz.running().url, options, HANDSHAKE_WAIT_MS).catch(
            (error: Error) => error.message,
          );
          const changes = await fuzz.observe();
          assert.equal(outcome, 'Unauthorized', context);
          await fuzz.assertSettled(changes, undefined, undefined, context);
        },
      ),
      fuzzParameters(),
    );
  });

  it('afterwards: the owner still signs in, and their token still works over HTTP and socket.io', async () => {
    assert.equal((await fuzz.api.get('/api/auth/me', { Authentication: fuzz.owner.token })).status, 200);
    assert.equal(
      (await fuzz.api.post('/auth', { login: fuzz.owner.login, password: fuzz.owner.password })).status,
      200,
    );
    const socket = await openSocket(fuzz.running().url, fuzz.owner.token, HANDSHAKE_WAIT_MS);
    try {
      assert.deepEqual(await whoami(socket, HANDSHAKE_WAIT_MS), { status: 'ok', handle: fuzz.owner.login });
    } finally {
      socket.close();
    }
  });
});
