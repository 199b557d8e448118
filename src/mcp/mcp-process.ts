import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Type } from '@nestjs/common';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ownerCommands, openOwnerContext } from '../owner/owner-context';
import { explainFailure } from '../owner/owner-failure';
import { escapeControlCharacters } from '../tokens/printable';
import { ownerMcpServer } from './owner-tools';
import { StderrLogger } from './stderr-logger';

/**
 * The owner's MCP server over stdio (`npm run mcp`), with the owner commands of Gatehouse and of
 * the given modules. It opens the database lazily, once per tool call until it succeeds, so it
 * starts and keeps answering while the database is away. stdout carries only the protocol; logs
 * and security events (via "mcp") go to stderr.
 */
export async function serveOwnerMcp(modules: Type[]): Promise<void> {
  let context;
  try {
    context = await openOwnerContext(
      'mcp',
      new StderrLogger('gatehouse-mcp', { logLevels: ['error', 'warn'] }),
      modules,
    );
  } catch (error) {
    // A bad configuration: nothing could be served. One line, as the command line gives it.
    process.stderr.write(`gatehouse-mcp: ${escapeControlCharacters(explainFailure(error).reason)}\n`);
    process.exit(2);
  }
  const opened = context;
  const server = ownerMcpServer(
    ownerCommands(modules),
    async (work, provider) => work(opened.get(provider, { strict: false })),
    packageVersion(),
  );

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    await opened.close().catch(() => undefined);
    process.exit(0);
  };
  // The client ends the session by closing our stdin (or with a signal).
  process.stdin.once('end', () => void close());
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  await server.connect(new StdioServerTransport());
}

/** The version in package.json, found upwards from here (dist/mcp, or the test build's build/src/mcp). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  }
  return '0.0.0';
}
