import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecurityEvent } from '../../src/events/security-event';

/** The owner command line as the test build compiles it (build/src/cli/main.js). */
export const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.js');
/** The same with the example modules (test/support/entries/cli-with-examples.ts). */
export const CLI_WITH_EXAMPLES = join(__dirname, 'entries', 'cli-with-examples.js');
/** Ample for one command (about half a second here), and a hang still fails the test. */
const CLI_TIMEOUT_MS = 20_000;

export interface CliRun {
  /** Exit status; null when the process was killed (the timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** When the process had ended (performance.now()). */
  endedAt: number;
  ms: number;
}

/**
 * Runs the command line as the owner would: its own process, configured only by the given
 * variables (nothing inherited but PATH), in a working directory without a .env unless one is
 * written there.
 */
export function runCli(args: string[], env: Record<string, string>, cwd = tmpdir(), entry = CLI): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, cwd, timeout: CLI_TIMEOUT_MS, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const endedAt = performance.now();
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr, endedAt, ms: endedAt - started });
      },
    );
  });
}

/**
 * Exit 0, and nothing on stderr but the security events of what the command changed (one JSON
 * line each, marked `via: "cli"`); returns those events.
 */
export function assertSucceeded(run: CliRun): SecurityEvent[] {
  assert.equal(run.signal, null, `killed after ${Math.round(run.ms)} ms`);
  assert.equal(run.code, 0, `exit ${run.code}, stderr: ${run.stderr}`);
  return eventLines(run.stderr, 'cli');
}

/** Parses stderr that must hold only security-event lines from the given entry point. */
export function eventLines(text: string, via: 'cli' | 'mcp'): SecurityEvent[] {
  const lines = text.split('\n').filter((line) => line !== '');
  return lines.map((line) => {
    let event: SecurityEvent;
    try {
      event = JSON.parse(line) as SecurityEvent;
    } catch {
      throw new assert.AssertionError({ message: `not a security event on stderr: ${line}` });
    }
    assert.equal(event.via, via, line);
    assert.equal(typeof event.event, 'string', line);
    assert.ok(!Number.isNaN(Date.parse(event.at)), line);
    return event;
  });
}

/** Non-zero status, one `gatehouse: <reason>` line on stderr (so no event), nothing on stdout, no stack. */
export function assertFailed(run: CliRun, reason: RegExp, code?: number): void {
  assert.equal(run.signal, null, `killed after ${Math.round(run.ms)} ms`);
  assert.notEqual(run.code, 0, `succeeded: ${run.stdout}`);
  assert.notEqual(run.code, null);
  if (code !== undefined) assert.equal(run.code, code, run.stderr);
  assert.equal(run.stdout, '');
  const lines = run.stderr.split('\n');
  assert.equal(lines.length, 2, `expected one line on stderr, got: ${JSON.stringify(run.stderr)}`);
  assert.equal(lines[1], '');
  assert.match(lines[0], /^gatehouse: \S/);
  assert.match(lines[0], reason);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
}
