import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OffsetClock } from '../src/clock/clock';
import { DatabaseChallengeStore } from '../src/passkeys/challenge-store';
import type { SecurityEvent } from '../src/events/security-event';
import { appPerSuite } from './support/app';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';
import { SoftwarePasskey } from './support/passkeys';

const MAX_FAILURES = 4;
const PASSWORD = 'secret-password';
const REFUSED = { status: 'error', error: 'Unauthorized', message: 'the passkey was not accepted' };

/**
 * CONTRACT section 19 over HTTP, with a software authenticator in the test (support/passkeys.ts):
 * registration behind the password, the options it gives, listing and removing, sign-in with one
 * token and method like a password's, and every refusal: replayed, foreign or expired challenges,
 * a wrong user handle, a counter that went back, a locked account, the failure count.
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, { LOGIN_MAX_FAILURES: String(MAX_FAILURES) }, [], { clock });
  const api = client(() => running().url);
  const as = (token: string) => ({ Authentication: token });
  const eventsOf = (login: string): SecurityEvent[] => running().events.filter((e) => e.login === login);

  async function creationOptions(token: string) {
    const reply = await api.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) }, as(token));
    assert.equal(reply.status, 200, reply.text);
    return reply.body.options;
  }

  /** An account with one registered passkey. */
  async function withPasskey(prefix = 'Pk') {
    const user = await api.account(uniqueLogin(prefix), PASSWORD);
    const key = new SoftwarePasskey();
    const added = await api.post(
      '/api/auth/passkeys',
      { credential: key.create(await creationOptions(user.token)) },
      as(user.token),
    );
    assert.equal(added.status, 200, added.text);
    return { ...user, key, passkey: added.body.passkey };
  }

  async function loginOptions() {
    const reply = await api.post('/api/auth/passkey/login/options', {});
    assert.equal(reply.status, 200, reply.text);
    return reply.body.options;
  }

  const signIn = (credential: unknown) => api.post('/api/auth/passkey/login', { credential });

  it('registers a passkey behind the password, with options as the contract writes them', async () => {
    const user = await api.account(uniqueLogin('Reg'), PASSWORD);
    const wrong = await api.post('/api/auth/passkeys/options', { pwd: b64('wrong-password') }, as(user.token));
    assert.equal(wrong.status, 403);
    assert.equal((await api.post('/api/auth/passkeys/options', { pwd: b64(PASSWORD) })).status, 401);
    for (const body of [{}, { pwd: 5 }, { pwd: b64(PASSWORD), otp: null }, { pwd: b64(PASSWORD), extra: 1 }])
      assert.equal(
        (await api.post('/api/auth/passkeys/options', body, as(user.token))).status,
        400,
        JSON.stringify(body),
      );

    const options = await creationOptions(user.token);
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.rp.name, 'Gatehouse');
    assert.equal(options.user.name, user.login);
    const handle = Buffer.from(options.user.id, 'base64url');
    assert.equal(handle.length, 32, 'a random handle');
    assert.ok(!handle.toString('utf8').includes(user.login));
    assert.ok(Buffer.from(options.challenge, 'base64url').length >= 16);
    assert.deepEqual(
      options.pubKeyCredParams.map((p: { alg: number }) => p.alg),
      [-7, -257],
    );
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    assert.equal(options.authenticatorSelection.requireResidentKey, true);
    assert.equal(options.authenticatorSelection.userVerification, 'required');
    assert.deepEqual(options.excludeCredentials, []);

    const key = new SoftwarePasskey();
    const added = await api.post(
      '/api/auth/passkeys',
      { credential: key.create(options), name: 'Laptop ✓' },
      as(user.token),
    );
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(Object.keys(added.body.passkey).sort(), ['createdAt', 'id', 'lastUsedAt', 'name']);
    assert.equal(added.body.passkey.name, 'Laptop ✓');
    assert.equal(added.body.passkey.lastUsedAt, null);

    // The same handle again, and the passkey excluded from a second registration.
    const again = await creationOptions(user.token);
    assert.equal(again.user.id, options.user.id);
    assert.notEqual(again.challenge, options.challenge);
    assert.deepEqual(
      again.excludeCredentials.map((c: { id: string }) => c.id),
      [key.id],
    );
    // The same credential registered again is 400, even with a fresh challenge.
    const duplicate = await api.post('/api/auth/passkeys', { credential: key.create(again) }, as(user.token));
    assert.equal(duplicate.status, 400);

    const list = await api.get('/api/auth/passkeys', as(user.token));
    assert.deepEqual(list.body, { status: 'ok', passkeys: [added.body.passkey] });
    assert.equal((await api.get('/api/auth/passkeys')).status, 401);
    const added1 = eventsOf(user.login).filter((e) => e.event === 'passkey.added');
    assert.equal(added1.length, 1);
    assert.equal(added1[0].address, '127.0.0.1');
  });

  it('refuses a registration that does not verify against an unexpired challenge of this account (400)', async () => {
    const user = await api.account(uniqueLogin('RegBad'), PASSWORD);
    const other = await api.account(uniqueLogin('RegOther'), PASSWORD);
    const add = (credential: unknown, name?: unknown) =>
      api.post('/api/auth/passkeys', { credential, ...(name === undefined ? {} : { name }) }, as(user.token));

    // Not the WebAuthn JSON form.
    const options = await creationOptions(user.token);
    const good = new SoftwarePasskey().create(options);
    for (const credential of [
      null,
      'x',
      [],
      {},
      { ...good, id: 5 },
      { ...good, type: 'other' },
      { ...good, rawId: 'AAAA' },
      { ...good, response: { ...good.response, attestationObject: '!!' } },
      { ...good, response: undefined },
    ])
      assert.equal((await add(credential)).status, 400, JSON.stringify(credential)?.slice(0, 80));
    for (const name of ['', '   ', 'x'.repeat(65), 'tab\there', 'bidi\u202e', 'zero\u200bwidth', 7, null])
      assert.equal((await add(good, name)).status, 400, JSON.stringify(name));
    assert.equal((await api.post('/api/auth/passkeys', { credential: good, extra: 1 }, as(user.token))).status, 400);

    // Another account's challenge, a wrong origin, no user verification, an expired challenge.
    const foreign = new SoftwarePasskey().create(await creationOptions(other.token));
    assert.equal((await add(foreign)).status, 400);
    assert.equal(
      (await add(new SoftwarePasskey().create(await creationOptions(user.token), { origin: 'http://evil.test' })))
        .status,
      400,
    );
    assert.equal(
      (await add(new SoftwarePasskey().create(await creationOptions(user.token), { rpId: 'evil.test' }))).status,
      400,
    );
    assert.equal(
      (await add(new SoftwarePasskey().create(await creationOptions(user.token), { flags: 0x41 }))).status,
      400,
    );
    const late = await creationOptions(user.token);
    clock.advance(5 * 60_000 + 1_000);
    assert.equal((await add(new SoftwarePasskey().create(late))).status, 400);

    // A challenge is used up by the first response that presents it, even one that did not verify.
    const once = await creationOptions(user.token);
    const key = new SoftwarePasskey();
    assert.equal((await add(key.create(once, { origin: 'http://evil.test' }))).status, 400);
    assert.equal((await add(key.create(once))).status, 400);
    assert.deepEqual((await api.get('/api/auth/passkeys', as(user.token))).body.passkeys, []);
    // A registration challenge is no sign-in challenge, nor the other way round.
    assert.equal(
      (await add(new SoftwarePasskey().create({ challenge: (await loginOptions()).challenge, user: { id: 'AAAA' } })))
        .status,
      400,
    );
  });

  it('signs in with a passkey: the same kind of token, method "passkey", no password asked', async () => {
    const { login, key, passkey } = await withPasskey('SignIn');
    const options = await loginOptions();
    assert.equal(options.rpId, 'localhost');
    assert.equal(options.userVerification, 'required');
    assert.equal(options.allowCredentials, undefined);
    assert.ok(Buffer.from(options.challenge, 'base64url').length >= 16);

    const reply = await signIn(key.get(options));
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.body), ['status', 'token']);
    const me = await api.get('/api/auth/me', as(reply.body.token));
    assert.equal(me.body.handle, login);
    const sessions = await api.get('/api/auth/sessions', as(reply.body.token));
    assert.equal(sessions.body.sessions.find((s: { current: boolean }) => s.current).method, 'passkey');
    const succeeded = eventsOf(login).filter((e) => e.event === 'sign-in.succeeded');
    assert.equal(succeeded.at(-1)?.method, 'passkey');
    const listed = (await api.get('/api/auth/passkeys', as(reply.body.token))).body.passkeys;
    assert.equal(listed[0].id, passkey.id);
    assert.notEqual(listed[0].lastUsedAt, null);
  });

  it('gives one 401 for every refused sign-in, and uses a challenge up whatever its response', async () => {
    const { key } = await withPasskey('Refuse');
    /** Refused with the one body; the failure window then passes, so the count never reaches the limit. */
    const refused = async (reply: Promise<{ body: unknown }>, pass = true) => {
      assert.deepEqual((await reply).body, REFUSED);
      if (pass) clock.advance(15 * 60_000 + 1_000);
    };
    const other = await withPasskey('RefuseOther');

    // Replayed: the same response twice, and a new response to a used challenge.
    const options = await loginOptions();
    const response = key.get(options);
    assert.equal((await signIn(response)).status, 200);
    await refused(signIn(response), false);
    await refused(signIn(key.get(options)));
    // A challenge the server never gave, and a registration challenge.
    await refused(signIn(key.get({ challenge: Buffer.alloc(32, 1).toString('base64url') })));
    const creation = await creationOptions(other.token);
    await refused(signIn(key.get(creation)));
    // The user handle of another account, or none.
    await refused(signIn(key.get(await loginOptions(), { userHandle: other.key.userHandle })));
    await refused(signIn(key.get(await loginOptions(), { userHandle: null })));
    // The counter went back (a cloned authenticator), or a wrong origin, rp id, or no user verification.
    await refused(signIn(key.get(await loginOptions(), { counter: 1 })));
    await refused(signIn(key.get(await loginOptions(), { origin: 'http://localhost:1' })));
    await refused(signIn(key.get(await loginOptions(), { rpId: 'example.com' })));
    await refused(signIn(key.get(await loginOptions(), { flags: 0x01 })));
    // Another key's signature over this credential id; an unknown credential.
    const forged = new SoftwarePasskey().get(await loginOptions());
    await refused(signIn({ ...forged, id: key.id, rawId: key.id }));
    await refused(signIn(new SoftwarePasskey().get(await loginOptions())));
    // Expired: five minutes.
    const late = await loginOptions();
    clock.advance(5 * 60_000 + 1_000);
    await refused(signIn(key.get(late)));
    // Still good with a fresh challenge (and a counter beyond every one used).
    key.counter += 10;
    assert.equal((await signIn(key.get(await loginOptions()))).status, 200);
  });

  it('answers 400 only for a body that is not the WebAuthn JSON form', async () => {
    const { key } = await withPasskey('Form');
    const good = key.get(await loginOptions());
    const bodies: unknown[] = [
      {},
      { credential: null },
      { credential: 'x' },
      { credential: good, extra: 1 },
      { credential: { ...good, response: { ...good.response, signature: 5 } } },
      { credential: { ...good, response: { ...good.response, authenticatorData: undefined } } },
      { credential: { ...good, clientExtensionResults: undefined } },
      { credential: { ...good, id: 'not base64url!' } },
    ];
    for (const body of bodies)
      assert.equal((await api.post('/api/auth/passkey/login', body)).status, 400, JSON.stringify(body).slice(0, 100));
    for (const body of [[], { a: 1 }, 'x'])
      assert.equal((await api.post('/api/auth/passkey/login/options', body)).status, 400, JSON.stringify(body));
    // Well-formed but garbage inside: a refusal, not bad input.
    const garbage = { ...good, response: { ...good.response, clientDataJSON: 'AAAA', signature: 'AAAA' } };
    assert.deepEqual((await signIn(garbage)).body, REFUSED);
  });

  it('counts refusals of a known passkey as failed sign-ins of its account, and refuses a locked account with 403', async () => {
    const { login, key } = await withPasskey('Count');
    for (let i = 0; i < MAX_FAILURES; i++) {
      assert.equal((await signIn(key.get(await loginOptions(), { origin: 'http://evil.test' }))).status, 401);
    }
    const failed = eventsOf(login).filter((e) => e.event === 'sign-in.failed');
    assert.equal(failed.length, MAX_FAILURES);
    assert.equal(failed[0].stage, 'passkey');
    const limited = await signIn(key.get(await loginOptions()));
    assert.equal(limited.status, 429);
    assert.ok(limited.headers.get('retry-after'));
    clock.advance(15 * 60_000 + 1_000);
    assert.equal((await signIn(key.get(await loginOptions()))).status, 200);

    await db().sql('UPDATE accounts SET locked_at = ? WHERE login = ?', [clock.now(), login]);
    const locked = await signIn(key.get(await loginOptions()));
    assert.equal(locked.status, 403);
    assert.equal(locked.body.error, 'Forbidden');
    // A response that does not verify stays 401: the lock is told only to the passkey's holder.
    assert.deepEqual((await signIn(key.get(await loginOptions(), { origin: 'http://evil.test' }))).body, REFUSED);
    await db().sql('UPDATE accounts SET locked_at = NULL WHERE login = ?', [login]);
    assert.equal((await signIn(key.get(await loginOptions()))).status, 200);
  });

  it('removes a passkey behind the password: ids of others 404, non-strings 400; then its sign-in is refused', async () => {
    const { login, token, key, passkey } = await withPasskey('Remove');
    const other = await withPasskey('RemoveOther');
    const remove = (body: unknown, t = token) => api.post('/api/auth/passkeys/remove', body, as(t));
    for (const id of [5, null, ['x'], {}])
      assert.equal((await remove({ id, pwd: b64(PASSWORD) })).status, 400, JSON.stringify(id));
    assert.equal((await remove({ id: passkey.id })).status, 400);
    for (const id of ['', 'nope', other.passkey.id, 'x'.repeat(300), passkey.id.toUpperCase() + '\u0000'])
      assert.equal((await remove({ id, pwd: b64(PASSWORD) })).status, 404, id.slice(0, 20));
    assert.equal((await remove({ id: passkey.id, pwd: b64('wrong-password') })).status, 403);
    const removed = await remove({ id: passkey.id, pwd: b64(PASSWORD) });
    assert.deepEqual(removed.body, { status: 'ok' });
    assert.equal((await api.get('/api/auth/me', as(token))).status, 200, 'removing revokes nothing');
    assert.deepEqual((await api.get('/api/auth/passkeys', as(token))).body.passkeys, []);
    assert.equal((await remove({ id: passkey.id, pwd: b64(PASSWORD) })).status, 404);
    assert.deepEqual((await signIn(key.get(await loginOptions()))).body, REFUSED);
    assert.equal(eventsOf(login).filter((e) => e.event === 'passkey.removed').length, 1);
    assert.equal((await api.get('/api/auth/passkeys', as(other.token))).body.passkeys.length, 1);
  });

  it('keeps passkeys through a password change and the end of other sessions, and deletes them with the account', async () => {
    const { login, token, key } = await withPasskey('Keep');
    const changed = await api.post(
      '/api/auth/password',
      { pwd: b64(PASSWORD), newPwd: b64('another-password-1') },
      as(token),
    );
    assert.equal(changed.status, 200, changed.text);
    assert.equal(
      (await api.post('/api/auth/sessions/revoke-others', { pwd: b64('another-password-1') }, as(token))).status,
      200,
    );
    assert.equal((await signIn(key.get(await loginOptions()))).status, 200);

    const [{ id }] = (await db().sql('SELECT id FROM accounts WHERE login = ?', [login])) as { id: number }[];
    const count = async (table: string) =>
      Number(
        ((await db().sql(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`, [id])) as { n: number }[])[0].n,
      );
    assert.equal(await count('passkeys'), 1);
    assert.equal((await api.post('/api/auth/delete', { pwd: b64('another-password-1') }, as(token))).status, 200);
    assert.equal(await count('passkeys'), 0);
    assert.equal(await count('passkey_users'), 0);
    assert.deepEqual((await signIn(key.get(await loginOptions()))).body, REFUSED);
  });

  it('sweeps expired challenges out of the database', async () => {
    const count = async () =>
      Number(((await db().sql('SELECT COUNT(*) AS n FROM passkey_challenges')) as { n: number | string }[])[0].n);
    await loginOptions();
    assert.ok((await count()) >= 1);
    await running().app.get(DatabaseChallengeStore).sweep();
    assert.ok((await count()) >= 1, 'an unexpired challenge stays');
    clock.advance(5 * 60_000 + 1_000);
    await running().app.get(DatabaseChallengeStore).sweep();
    assert.equal(await count(), 0);
  });

  it('keeps challenges only as hashes', async () => {
    const options = await loginOptions();
    const dump = await db().dump();
    assert.ok(!dump.includes(options.challenge));
  });
});
