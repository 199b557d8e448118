import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type * as Client from '@gatehouse/client';
import type { NotesClientEvents, NotesServerEvents } from '../examples/notes/notes-events';
import type * as Server from '../src/realtime/socket-session';
import { type RunningApp, startApp } from './support/app';

/**
 * The client library as a package (client/, CONTRACT section 22): its committed types are those
 * of the running document, the document passes Redocly's lint, and `npm pack` gives a package
 * that installs and type-checks on its own. A default server (no extension modules) is enough,
 * and no database: the document does not depend on one.
 */

/** True when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// The socket events the client declares are the server's own (src/realtime/socket-session.ts): a
// change on either side that the other does not follow fails the type-check of the project.
const serverEventsMatch: Same<Client.ServerToClientEvents, Server.ServerToClientEvents> = true;
const clientEventsMatch: Same<Client.ClientToServerEvents, Server.ClientToServerEvents> = true;

// An extension module's events (the notes example's, declared beside its gateway) on top of Gatehouse's.
const notesSocket = (socket: Client.GatehouseSocket<NotesServerEvents, NotesClientEvents>): void => {
  socket.on('notes:added', (note) => void note.text.toUpperCase());
  socket.on('revoked', ({ reason }) => void reason.toUpperCase());
  socket.emit('notes:add', { text: 'typed' }, (reply) => void (reply.status === 'ok' && reply.note.id));
};

const ROOT = join(__dirname, '..', '..');
const CLIENT = join(ROOT, 'client');
const TIMEOUT_MS = 120_000;

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const done = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: TIMEOUT_MS,
  });
  assert.equal(done.status, 0, `${command} ${args.join(' ')} in ${cwd}:\n${done.stdout}\n${done.stderr}`);
  return done.stdout;
}

describe('the client package', () => {
  let running: RunningApp;
  let work: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'gatehouse-client-'));
    // Nothing answers at this database: the app serves its document while it retries.
    running = await startApp({ url: 'mysql://root@127.0.0.1:1/none' }, {}, [], { waitForDatabase: false });
  });
  after(async () => {
    await running?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('declares the socket events of the server', () => {
    assert.deepEqual([serverEventsMatch, clientEventsMatch, typeof notesSocket], [true, true, 'function']);
  });

  it('has the types of the running document committed (npm run client:types regenerates them)', async () => {
    const out = mkdtempSync(join(work, 'types-'));
    // Not spawnSync: the app answering the script runs in this process.
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'scripts', 'client-types.mjs'), running.url, '--out', out],
      {
        timeout: TIMEOUT_MS,
      },
    );
    for (const file of ['schema.ts', 'routes.ts']) {
      assert.equal(
        readFileSync(join(CLIENT, 'src', file), 'utf8'),
        readFileSync(join(out, file), 'utf8'),
        `client/src/${file} differs from the running document: run \`npm run client:types\` against a default server`,
      );
    }
  });

  it("passes Redocly's lint (redocly.yaml names each rule turned off, and why)", async () => {
    const file = join(work, 'openapi.json');
    writeFileSync(file, await (await fetch(`${running.url}/docs/openapi.json`)).text());
    const redocly = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    run(
      process.execPath,
      [redocly, 'lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'stylish'],
      ROOT,
      {
        // No call home from a test: this machine talks to localhost only.
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      },
    );
  });

  it('packs, installs into an empty project and type-checks a program there', { timeout: TIMEOUT_MS }, () => {
    const packed = mkdtempSync(join(work, 'pack-'));
    run('npm', ['pack', '--pack-destination', packed, '--silent'], CLIENT);
    const tarball = readdirSync(packed).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack wrote a tarball');
    const project = mkdtempSync(join(work, 'project-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'uses-gatehouse',
        private: true,
        dependencies: { '@gatehouse/client': `file:${join(packed, tarball)}` },
      }),
    );
    // The dependencies come from npm's cache (filled by the project's own install), the registry only if missing.
    run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      project,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          lib: ['ES2022', 'DOM'],
          types: [],
        },
      }),
    );
    writeFileSync(
      join(project, 'main.ts'),
      [
        "import { addPasskey, type AddPasskeyResult, connectSocket, createGatehouseClient, handshake, type HandshakeOutcome, signInWithPasskey, type SignInResult } from '@gatehouse/client';",
        "const gatehouse = createGatehouseClient({ baseUrl: 'http://127.0.0.1:3000' });",
        'export async function sessionCount(): Promise<number> {',
        "  const result: SignInResult = await gatehouse.signIn({ handle: 'alice', password: 'secret-password' });",
        "  if (result.kind !== 'signedIn') return 0;",
        '  const socket = connectSocket(undefined, { token: result.token });',
        "  socket.on('revoked', ({ reason }) => console.log(reason === 'expired'));",
        '  const { data } = await gatehouse.sessions();',
        '  return data?.sessions.filter((session) => session.current).length ?? 0;',
        '}',
        // A route's body is typed: the Birdhouse dialect takes `pwd`, not `password`.
        '// @ts-expect-error',
        "void gatehouse.login({ handle: 'alice', password: 'x' });",
        // The passkey ceremonies, access tokens, introspection and the handshake's outcome.
        'export async function passkeyThenToken(): Promise<string | null> {',
        "  const added: AddPasskeyResult = await addPasskey(gatehouse, { password: 'x', name: 'Laptop' });",
        "  if (added.kind === 'secondFactor') await added.withCode('123456');",
        '  const signedIn = await signInWithPasskey(gatehouse);',
        "  if (signedIn.kind !== 'signedIn') return null;",
        "  const created = await gatehouse.accessTokens.create({ name: 'ci', scopes: ['socket'], pwd: 'eA==' });",
        "  const outcome: HandshakeOutcome = await handshake(connectSocket(undefined, { token: created.data?.token ?? '' }));",
        '  const { data } = await gatehouse.introspect(signedIn.token, { form: true });',
        "  return outcome.kind === 'forbidden' || data?.active !== true ? null : (data.username ?? null);",
        '}',
        '',
      ].join('\n'),
    );
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', project], project);
    // It loads at run time too.
    run(process.execPath, ['-e', "require('@gatehouse/client').createGatehouseClient({ baseUrl: '' })"], project);
  });
});
