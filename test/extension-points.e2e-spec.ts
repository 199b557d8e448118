import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { Injectable, Module } from '@nestjs/common';
import { NotesModule } from '../examples/notes/notes.module';
import { NotesRetention } from '../examples/notes/notes-retention';
import { SignInPolicyModule } from '../examples/sign-in-policy/sign-in-policy.module';
import { OffsetClock } from '../src/clock/clock';
import { OnSecurityEvent, type SecurityEvent, SecurityEvents } from '../src/extension';
import { PeriodicTasks } from '../src/lifecycle/periodic-task';
import { appPerSuite, startApp } from './support/app';
import { assertFailed, assertSucceeded, CLI_WITH_EXAMPLES, runCli } from './support/cli';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';
import { MCP_WITH_EXAMPLES_JS, startOwnerMcp } from './support/mcp';
import { MAIN_WITH_EXAMPLES_JS, spawnService, within } from './support/process';
import { closeSockets, openSocket, refusal } from './support/sockets';

/**
 * The extension points of README "Extending Gatehouse", each through the examples: a
 * configuration namespace, a module's security events, a periodic task, a sign-in step, and an
 * owner command in the command line and the MCP server.
 */
const TEST_TIMEOUT = { timeout: 60_000 };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OUTSIDE = '127.0.0.2';

/** What a listener of the module's event heard. */
const heard: SecurityEvent[] = [];

@Injectable()
class PublishedListener {
  @OnSecurityEvent('note.published')
  published(event: SecurityEvent): void {
    heard.push(event);
  }
}

@Module({ providers: [PublishedListener] })
class ListenerModule {}

@Injectable()
class TypoListener {
  @OnSecurityEvent('note.publish')
  never(): void {}
}

@Module({ providers: [TypoListener] })
class TypoModule {}

describe('a bad value in a module configuration namespace', () => {
  const line = 'gatehouse: invalid configuration: NOTES_MAX_LENGTH must be a whole number from 1 to 500, got "x"';

  it('stops the server with one line, before it listens', TEST_TIMEOUT, async () => {
    const service = await spawnService(
      { DATABASE_URL: 'sqlite::memory:', NOTES_MAX_LENGTH: 'x' },
      { entry: MAIN_WITH_EXAMPLES_JS },
    );
    try {
      assert.equal(await within(service.exited, 15_000, 'still running'), 1);
      assert.equal(service.output(), `${line}\n`);
    } finally {
      service.kill();
    }
  });

  it('stops an owner command with the same line and exit status 2', TEST_TIMEOUT, async () => {
    const run = await runCli(['delete-notes', 'alice'], { NOTES_MAX_LENGTH: 'x' }, tmpdir(), CLI_WITH_EXAMPLES);
    assertFailed(
      run,
      /^gatehouse: invalid configuration: NOTES_MAX_LENGTH must be a whole number from 1 to 500, got "x"$/,
      2,
    );
  });
});

eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const env = { NOTES_MAX_LENGTH: '20', NOTES_RETENTION: '1h', SIGN_IN_POLICY_NETWORKS: '127.0.0.1/32' };
  const running = appPerSuite(db, env, [NotesModule, SignInPolicyModule, ListenerModule], { clock });
  const api = client(() => running().url);
  const ownerEnv = () => ({ DATABASE_URL: db().url, BCRYPT_COST: '4' });

  async function note(token: string, text: string, isPublic = false) {
    return api.post('/api/notes', { text, public: isPublic }, { Authentication: token });
  }

  it("reads the module's own settings from Gatehouse's environment", async () => {
    assert.deepEqual((await api.get('/api/notes/about')).body, { status: 'ok', maxLength: 20 });
    const { token } = await api.account();
    const long = await note(token, 'x'.repeat(21));
    assert.deepEqual([long.status, long.body.message], [400, 'text must be at most 20 characters']);
    assert.equal((await note(token, 'x'.repeat(20))).status, 201);
  });

  it("writes and delivers the module's own event once its change committed, and refuses undeclared ones", async () => {
    const { login, token } = await api.account();
    const published = await note(token, 'for all', true);
    assert.equal(published.status, 201);
    assert.equal((await note(token, 'for me')).status, 201);
    const events = running().events.filter((e) => e.login === login && e.event === 'note.published');
    assert.deepEqual(
      events.map(({ event, noteId, address, via }) => ({ event, noteId, address, via })),
      [{ event: 'note.published', noteId: published.body.note.id, address: null, via: undefined }],
    );
    for (let i = 0; i < 50 && !heard.some((e) => e.login === login); i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      heard.filter((e) => e.login === login),
      events,
    );
    assert.throws(
      () => running().app.get(SecurityEvents).record({ event: 'note.publish', accountId: null, login }),
      /security event "note.publish" is not declared/,
    );
    await assert.rejects(
      startApp(db(), env, [NotesModule, TypoModule]),
      /TypoListener\.never listens to "note\.publish"/,
    );
  });

  it("runs the module's periodic task on the server, after Gatehouse's", async () => {
    assert.deepEqual(running().app.get(PeriodicTasks).names, [
      'security-event flush',
      'token-use flush',
      'expired-token sweep',
      'live-socket sweep',
      'passkey challenge sweep',
      'security-event retention',
      'owner-event poll',
      'notes retention',
    ]);
    const { token } = await api.account();
    const id = (await note(token, 'old news')).body.note.id as number;
    clock.advance(HOUR + 60_000);
    await running().app.get(NotesRetention).sweep();
    assert.deepEqual(await db().sql('SELECT id FROM notes WHERE id = ?', [id]), []);
  });

  it('lets a sign-in step refuse sign-in and step-up, in the route dialect, without counting a failure', async () => {
    const { login, password, token } = await api.account();
    const classic = await postFrom(OUTSIDE, running().url, '/auth', { login, password });
    assert.equal(classic.status, 403);
    assert.deepEqual(classic.body, {
      error: 'Forbidden',
      message: 'signing in is not allowed from this network',
      policy: 'network',
    });
    const birdhouse = await postFrom(OUTSIDE, running().url, '/api/auth/login', { handle: login, pwd: b64(password) });
    assert.deepEqual([birdhouse.status, birdhouse.body.status, birdhouse.body.policy], [403, 'error', 'network']);
    const stepUp = await postFrom(
      OUTSIDE,
      running().url,
      '/api/auth/sessions/revoke-others',
      { pwd: b64(password) },
      { Authentication: token },
    );
    assert.deepEqual([stepUp.status, stepUp.body.policy], [403, 'network']);
    const wrong = await postFrom(OUTSIDE, running().url, '/auth', { login, password: 'not-the-password' });
    assert.equal(wrong.status, 401, 'a wrong password answers as ever, telling nothing of the policy');
    assert.deepEqual(
      running()
        .events.filter((e) => e.login === login && e.event.startsWith('sign-in.'))
        .map((e) => [e.event, e.address]),
      [
        ['sign-in.succeeded', '127.0.0.1'],
        ['sign-in.failed', OUTSIDE],
      ],
    );
    assert.equal((await api.post('/auth', { login, password })).status, 200, 'from inside the networks');
  });

  it('gives a module owner command in the command line and as an MCP tool', TEST_TIMEOUT, async () => {
    const { login, token } = await api.account(uniqueLogin('Owner'));
    await note(token, 'one');
    await note(token, 'two');
    const help = await runCli(['--help'], ownerEnv(), tmpdir(), CLI_WITH_EXAMPLES);
    assertSucceeded(help);
    assert.match(help.stdout, /delete-notes <login> +delete every note of the account/);
    const run = await runCli(['delete-notes', login], ownerEnv(), tmpdir(), CLI_WITH_EXAMPLES);
    const events = assertSucceeded(run);
    assert.equal(run.stdout, `2 note(s) of ${login} deleted\n`);
    assert.deepEqual(
      events.map(({ event, login: who, count }) => ({ event, who, count })),
      [{ event: 'notes.deleted', who: login, count: 2 }],
    );

    await note(token, 'three');
    const mcp = await startOwnerMcp(ownerEnv(), MCP_WITH_EXAMPLES_JS);
    try {
      const tool = (await mcp.client.listTools()).tools.find((t) => t.name === 'delete_notes');
      assert.ok(tool);
      assert.deepEqual(Object.keys(tool.inputSchema.properties ?? {}), ['login']);
      assert.deepEqual(
        [tool.annotations?.readOnlyHint, tool.annotations?.destructiveHint, tool.annotations?.idempotentHint],
        [false, true, true],
      );
      const result = await mcp.call('delete_notes', { login: login.toUpperCase() });
      assert.deepEqual(result.structuredContent, { login, deleted: 1 });
      const unknown = await mcp.call('delete_notes', { login: 'nobody-at-all' });
      assert.equal(unknown.isError, true);
    } finally {
      await mcp.close();
    }
    assert.deepEqual(
      await db().sql('SELECT n.id FROM notes n JOIN accounts a ON a.id = n.account_id WHERE a.login = ?', [login]),
      [],
    );
  });

  // Last: it moves the clock past every token's lifetime.
  it("expires a socket's session by the application's Clock, as the HTTP check does", async () => {
    const { token } = await api.account();
    const socket = await openSocket(running().url, token);
    try {
      assert.deepEqual(await socket.timeout(3000).emitWithAck('whoami'), {
        status: 'ok',
        handle: (await api.get('/api/auth/me', { Authentication: token })).body.handle,
      });
      clock.advance(31 * DAY);
      assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 401);
      const answer = (await socket
        .timeout(3000)
        .emitWithAck('whoami')
        .catch(() => ({ dropped: true }))) as Record<string, unknown>;
      // Refused by the clock that moved, or already dropped by the sweep that reads it.
      assert.ok(answer.dropped === true || answer.error === 'Unauthorized', JSON.stringify(answer));
      assert.equal(await refusal(running().url, { auth: { token } }), 'Unauthorized');
    } finally {
      closeSockets();
    }
  });
});
