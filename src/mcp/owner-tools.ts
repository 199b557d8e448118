import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { explainFailure } from '../owner/owner-failure';
import type { OwnerService } from '../owner/owner.service';

/**
 * One argument for every tool. Only `login`: unknown arguments are dropped, so a bad call has
 * exactly one thing wrong with it and its reason fits one line.
 */
const byLogin = {
  login: z
    .string()
    .min(1)
    .max(1024)
    .describe("The account's login (handle), matched as at sign-in: case-insensitively, after Unicode NFKC."),
};

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Every tool acts on this server's database only; none reaches out to the world. */
const local = { openWorldHint: false };
const READ: ToolAnnotations = { ...local, readOnlyHint: true };
/** Writes that may take something away (tokens, a code handed out, the account itself). */
const DESTRUCTIVE = (idempotent: boolean): ToolAnnotations => ({
  ...local,
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: idempotent,
});

function ok(text: string, data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: data };
}

/**
 * Runs one owner operation for a tool call. Whatever fails (an unknown login, an unreachable
 * database) is a tool result with isError and a one-line reason; the server goes on answering.
 */
async function attempt(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    return { isError: true, content: [{ type: 'text', text: explainFailure(error).reason }] };
  }
}

/**
 * The owner's MCP server: the owner operations of CONTRACT section 8 except reset-password.
 * No tool takes or returns a password; the recovery code is the one secret shown, once.
 */
export function ownerMcpServer(owner: OwnerService, version: string): McpServer {
  const server = new McpServer(
    { name: 'gatehouse-owner', version },
    {
      instructions:
        "Owner operations on the Gatehouse accounts of this server's database. To help a user who lost their " +
        'password: verify who they are, then issue_recovery_code and hand them the code; they choose a new ' +
        'password themselves with it (POST /api/auth/recover). Nothing here can set or show a password.',
    },
  );

  server.registerTool(
    'find_account',
    {
      title: 'Find an account',
      description:
        'Look up an account by login: its login as registered, when it was created, whether it is locked, how many live sessions it has, and whether an unused recovery code is outstanding.',
      inputSchema: byLogin,
      annotations: READ,
    },
    ({ login }) =>
      attempt(async () => {
        const found = await owner.find(login);
        const data = {
          login: found.login,
          createdAt: iso(found.createdAt),
          locked: found.lockedAt !== null,
          lockedAt: iso(found.lockedAt),
          liveSessions: found.liveSessions,
          recoveryCodeExpiresAt: iso(found.recoveryCodeExpiresAt),
        };
        return ok(JSON.stringify(data), data);
      }),
  );

  server.registerTool(
    'list_sessions',
    {
      title: 'List sessions',
      description:
        'List the live sessions (unexpired tokens) of an account, newest first: id, issued, last used, expires, client label and address. Never the tokens themselves.',
      inputSchema: byLogin,
      annotations: READ,
    },
    ({ login }) =>
      attempt(async () => {
        const { login: name, sessions } = await owner.sessions(login);
        const data = {
          login: name,
          sessions: sessions.map((t) => ({
            id: t.publicId,
            createdAt: iso(t.createdAt),
            lastUsedAt: iso(t.lastUsedAt),
            expiresAt: iso(t.expiresAt),
            client: t.client,
            address: t.address,
          })),
        };
        return ok(JSON.stringify(data), data);
      }),
  );

  server.registerTool(
    'revoke_tokens',
    {
      title: 'Sign out everywhere',
      description:
        'Revoke every token of an account: every session signs out and its live sockets are dropped. The password stays; the user can sign in again.',
      inputSchema: byLogin,
      annotations: DESTRUCTIVE(true),
    },
    ({ login }) =>
      attempt(async () => {
        const result = await owner.revokeTokens(login);
        return ok(`${result.revoked} token(s) of ${result.login} revoked`, result);
      }),
  );

  server.registerTool(
    'issue_recovery_code',
    {
      title: 'Issue a recovery code',
      description:
        "Issue a single-use recovery code for an account, replacing any earlier code; nothing else changes. Hand it to the user only once you are satisfied who they are: with it they set a new password of their own (POST /api/auth/recover), which signs out all their sessions. It expires after the RECOVERY_CODE_TTL of this MCP server's environment (default 1 hour), fixed when issued.",
      inputSchema: byLogin,
      annotations: DESTRUCTIVE(false),
    },
    ({ login }) =>
      attempt(async () => {
        const issued = await owner.issueRecoveryCode(login);
        const data = { login: issued.login, code: issued.code, expiresAt: iso(issued.expiresAt) };
        return ok(`recovery code of ${issued.login}: ${issued.code} (single use, valid until ${data.expiresAt})`, data);
      }),
  );

  server.registerTool(
    'lock_account',
    {
      title: 'Lock an account',
      description:
        'Lock an account: revoke every token (sockets dropped) and refuse its sign-ins and recovery until unlock_account. An outstanding recovery code is kept and works again after unlocking.',
      inputSchema: byLogin,
      annotations: DESTRUCTIVE(true),
    },
    ({ login }) =>
      attempt(async () => {
        const result = await owner.lock(login);
        return ok(
          `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${result.revoked} token(s) revoked`,
          { ...result, locked: true },
        );
      }),
  );

  server.registerTool(
    'unlock_account',
    {
      title: 'Unlock an account',
      description: 'Unlock an account locked with lock_account: it can sign in (with its password) and recover again.',
      inputSchema: byLogin,
      annotations: { ...local, readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    },
    ({ login }) =>
      attempt(async () => {
        const result = await owner.unlock(login);
        return ok(`${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`, {
          login: result.login,
          changed: result.changed,
          locked: false,
        });
      }),
  );

  server.registerTool(
    'delete_account',
    {
      title: 'Delete an account',
      description:
        'Delete an account for good, with all its tokens (sockets dropped) and its recovery code. The login becomes free to register again. Cannot be undone.',
      inputSchema: byLogin,
      annotations: DESTRUCTIVE(false),
    },
    ({ login }) =>
      attempt(async () => {
        const result = await owner.deleteAccount(login);
        return ok(`account ${result.login} deleted; ${result.revoked} token(s) revoked`, { ...result, deleted: true });
      }),
  );

  return server;
}
