import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The compiled entry point, as `npm start` runs it (the test runner compiles into build/). */
export const MAIN_JS = join(__dirname, '..', '..', 'src', 'main.js');
/** The same with the example modules (test/support/entries/main-with-examples.ts). */
export const MAIN_WITH_EXAMPLES_JS = join(__dirname, 'entries', 'main-with-examples.js');

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  kill(): void;
}

/** A port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the real service as `npm start` would, in an empty working directory (so no .env
 * applies), with the given environment on top of this process's PATH; with `umask` (octal, e.g.
 * `'000'`) under that umask, set by a shell that then becomes the service.
 */
export async function spawnService(
  env: Record<string, string>,
  { umask, entry = MAIN_JS }: { umask?: string; entry?: string } = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-proc-'));
  const [command, args] =
    umask === undefined
      ? [process.execPath, [entry]]
      : ['/bin/sh', ['-c', `umask ${umask} && exec "$0" "$1"`, process.execPath, entry]];
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), BCRYPT_COST: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls GET /health until it answers 200, within timeoutMs. */
export async function waitHealthy(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become healthy within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves with `value` after ms, or with the promise's value if it settles first. */
export function within<T, U>(promise: Promise<T>, ms: number, value: U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<U>((resolve) => {
      timer = setTimeout(() => resolve(value), ms);
    }),
  ]);
}
