import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The owner's MCP server as the test build compiles it (build/src/mcp/main.js). */
export const MCP_JS = join(__dirname, '..', '..', 'src', 'mcp', 'main.js');
/** The same with the example modules (test/support/entries/mcp-with-examples.ts). */
export const MCP_WITH_EXAMPLES_JS = join(__dirname, 'entries', 'mcp-with-examples.js');

export interface OwnerMcp {
  client: Client;
  /** Everything the server wrote to stderr so far (logs and security events). */
  stderr(): string;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  close(): Promise<void>;
}

/**
 * Starts the real MCP server in its own process, as an MCP client would (command + args + env,
 * nothing inherited but PATH), and connects the SDK's own client to it over stdio.
 */
export async function startOwnerMcp(env: Record<string, string>, entry = MCP_JS): Promise<OwnerMcp> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry],
    env: { PATH: process.env.PATH ?? '', BCRYPT_COST: '4', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  (transport.stderr as Readable | null)?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'gatehouse-e2e', version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (name, args) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: 15_000 })) as CallToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result's single text block. */
export function textOf(result: CallToolResult): string {
  const [block] = result.content;
  if (result.content.length !== 1 || block.type !== 'text')
    throw new Error(`unexpected content ${JSON.stringify(result.content)}`);
  return block.text;
}
