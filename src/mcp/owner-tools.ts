import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { ZodType } from 'zod';
import {
  type OwnerCommandAnnotations,
  type OwnerCommandEntry,
  parametersOf,
  replyOf,
} from '../extension-points/owner-command';
import type { OwnerRunner } from '../owner/owner-context';
import { explainFailure } from '../owner/owner-failure';
import { escapeControlCharacters, escapeControlCharactersIn } from '../tokens/printable';

/** Every tool acts on this server's database only; none reaches out to the world. */
function annotationsOf({ readOnly, destructive, idempotent }: OwnerCommandAnnotations): ToolAnnotations {
  if (readOnly) return { openWorldHint: false, readOnlyHint: true };
  return { openWorldHint: false, readOnlyHint: false, destructiveHint: destructive, idempotentHint: idempotent };
}

/** The tool's input: the fields of the arguments and options that have one. */
function inputSchemaOf(entry: OwnerCommandEntry): Record<string, ZodType> {
  const fields: Record<string, ZodType> = {};
  for (const [name, argument] of Object.entries(entry.declaration.args ?? {}))
    if (argument.mcp) fields[name] = argument.required === false ? argument.mcp.optional() : argument.mcp;
  for (const [name, option] of Object.entries(entry.declaration.options ?? {}))
    if (option.mcp) fields[name] = option.mcp.optional();
  return fields;
}

/**
 * Runs one owner operation for a tool call. Whatever fails (an unknown login, an unreachable
 * database) is a tool result with isError and a one-line reason; the server goes on answering.
 */
async function attempt(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: escapeControlCharacters(explainFailure(error).reason) }] };
  }
}

/**
 * The owner's MCP server: one tool per owner command with an MCP name (@OwnerCommand), CONTRACT
 * section 8's operations except reset-password, and the added modules'. No tool of Gatehouse's
 * takes or returns a password; the recovery code is the one secret shown, once.
 */
export function ownerMcpServer(commands: OwnerCommandEntry[], run: OwnerRunner, version: string): McpServer {
  const server = new McpServer(
    { name: 'gatehouse-owner', version },
    {
      instructions:
        "Owner operations on the Gatehouse accounts of this server's database. To help a user who lost their " +
        'password: verify who they are, then issue_recovery_code and hand them the code; they choose a new ' +
        'password themselves with it (POST /api/auth/recover). Nothing here can set or show a password.',
    },
  );
  for (const entry of commands) {
    const { mcp } = entry.declaration;
    if (mcp === false) continue;
    const reply = replyOf(entry.declaration);
    server.registerTool(
      mcp.name,
      {
        title: mcp.title,
        description: mcp.description,
        inputSchema: inputSchemaOf(entry),
        annotations: annotationsOf(entry.declaration.annotations),
      },
      (input: Record<string, unknown>) =>
        attempt(async () => {
          const parameters = parametersOf(entry.declaration, input);
          const result = await run(
            (instance) =>
              (instance as Record<string, (...args: unknown[]) => Promise<unknown>>)[entry.method](...parameters),
            entry.provider,
          );
          // What is stored (logins, client labels, addresses) reaches the client with its control
          // characters escaped, in the text and the structured content alike.
          const { text, data } = reply(escapeControlCharactersIn(result));
          // Line by line: a text of several lines (one JSON object each) keeps its line breaks.
          const printable = text.split('\n').map(escapeControlCharacters).join('\n');
          return { content: [{ type: 'text', text: printable }], structuredContent: data };
        }),
    );
  }
  return server;
}
