import type { OwnerCommandDeclaration } from '../extension-points/owner-command';
import { loginArgument } from '../extension-points/owner-arguments';
import type { Token } from '../tokens/token.entity';
import { count, iso, isoOrDash, sessionsTable } from './owner-output';

/**
 * How each of the owner's operations (OwnerService) appears in the command line and as an MCP
 * tool: names, help, annotations, and what its result prints or returns. Texts are the contract's
 * (CONTRACT section 8; test/cli*.e2e-spec.ts, test/mcp.e2e-spec.ts).
 */

export interface AccountSummary {
  login: string;
  createdAt: number;
  /** When the owner locked it; null while it is not locked. */
  lockedAt: number | null;
  liveSessions: number;
  /** Expiry of an unused, unexpired recovery code; null when there is none. */
  recoveryCodeExpiresAt: number | null;
}

export interface ResetResult {
  login: string;
  revoked: number;
  /** Set only when the password was generated: the one time it can be shown. */
  generatedPassword?: string;
}

export interface SessionsResult {
  login: string;
  sessions: Token[];
}

export interface IssuedRecoveryCode {
  login: string;
  /** Shown once: only its hash is stored. */
  code: string;
  expiresAt: number;
}

/** `changed` false: the account already was in the asked state, and nothing was written. */
export interface LockResult {
  login: string;
  changed: boolean;
  revoked: number;
}

/** Every tool acts on this server's database only; none reaches out to the world. */
const READ = { readOnly: true };
/** Writes that may take something away (tokens, a code handed out, the account itself). */
const DESTRUCTIVE = (idempotent: boolean) => ({ readOnly: false, destructive: true, idempotent });

export const FIND_ACCOUNT: OwnerCommandDeclaration<AccountSummary> = {
  cli: false,
  mcp: {
    name: 'find_account',
    title: 'Find an account',
    description:
      'Look up an account by login: its login as registered, when it was created, whether it is locked, how many live sessions it has, and whether an unused recovery code is outstanding.',
  },
  description: 'look up an account',
  args: { login: loginArgument },
  annotations: READ,
  reply: (found) => {
    const data = {
      login: found.login,
      createdAt: iso(found.createdAt),
      locked: found.lockedAt !== null,
      lockedAt: iso(found.lockedAt),
      liveSessions: found.liveSessions,
      recoveryCodeExpiresAt: iso(found.recoveryCodeExpiresAt),
    };
    return { text: JSON.stringify(data), data };
  },
};

export const RESET_PASSWORD: OwnerCommandDeclaration<ResetResult> = {
  cli: 'reset-password',
  mcp: false,
  description:
    'set a new password and revoke every token of the account, both in one transaction; ' +
    'without --password, a random password is generated and printed once',
  args: { login: loginArgument },
  options: {
    password: {
      flags: '--password <new>',
      cli: 'the new password, under the registration rules (visible in shell history and ps)',
    },
  },
  annotations: DESTRUCTIVE(false),
  print: (result) => [
    `password of ${result.login} replaced; ${count(result.revoked, 'token')} revoked`,
    ...(result.generatedPassword !== undefined ? [`new password: ${result.generatedPassword}`] : []),
  ],
};

export const REVOKE_TOKENS: OwnerCommandDeclaration<{ login: string; revoked: number }> = {
  cli: 'revoke-tokens',
  mcp: {
    name: 'revoke_tokens',
    title: 'Sign out everywhere',
    description:
      'Revoke every token of an account: every session signs out and its live sockets are dropped. The password stays; the user can sign in again.',
  },
  description: 'revoke every token of the account (its password stays)',
  args: { login: loginArgument },
  annotations: DESTRUCTIVE(true),
  print: (result) => [`${count(result.revoked, 'token')} of ${result.login} revoked`],
  reply: (result) => ({ text: `${result.revoked} token(s) of ${result.login} revoked`, data: result }),
};

export const SESSIONS: OwnerCommandDeclaration<SessionsResult> = {
  cli: 'sessions',
  mcp: {
    name: 'list_sessions',
    title: 'List sessions',
    description:
      'List the live sessions (unexpired tokens) of an account, newest first: id, issued, last used, expires, client label and address. Never the tokens themselves.',
  },
  description: 'list the live tokens of the account: issued, last used, expires (ISO 8601, UTC), client',
  args: { login: loginArgument },
  annotations: READ,
  print: (result) => [
    `${result.login}: ${count(result.sessions.length, 'live session')}`,
    ...(result.sessions.length > 0 ? sessionsTable(result.sessions) : []),
  ],
  reply: ({ login, sessions }) => {
    const data = {
      login,
      sessions: sessions.map((t) => ({
        id: t.publicId,
        createdAt: iso(t.createdAt),
        lastUsedAt: iso(t.lastUsedAt),
        expiresAt: iso(t.expiresAt),
        client: t.client,
        address: t.address,
      })),
    };
    return { text: JSON.stringify(data), data };
  },
};

export const RECOVERY_CODE: OwnerCommandDeclaration<IssuedRecoveryCode> = {
  cli: 'recovery-code',
  mcp: {
    name: 'issue_recovery_code',
    title: 'Issue a recovery code',
    description:
      "Issue a single-use recovery code for an account, replacing any earlier code; nothing else changes. Hand it to the user only once you are satisfied who they are: with it they set a new password of their own (POST /api/auth/recover), which signs out all their sessions. It expires after the RECOVERY_CODE_TTL of this MCP server's environment (default 1 hour), fixed when issued.",
  },
  description:
    'print a single-use recovery code for the account (valid for RECOVERY_CODE_TTL, replacing any earlier ' +
    'one); the user redeems it with POST /api/auth/recover and a new password of their own',
  args: { login: loginArgument },
  annotations: DESTRUCTIVE(false),
  print: (result) => [
    `recovery code of ${result.login}: ${result.code}`,
    `single use, valid until ${isoOrDash(result.expiresAt)}`,
  ],
  reply: (issued) => {
    const data = { login: issued.login, code: issued.code, expiresAt: iso(issued.expiresAt) };
    return {
      text: `recovery code of ${issued.login}: ${issued.code} (single use, valid until ${data.expiresAt})`,
      data,
    };
  },
};

export const LOCK: OwnerCommandDeclaration<LockResult> = {
  cli: 'lock',
  mcp: {
    name: 'lock_account',
    title: 'Lock an account',
    description:
      'Lock an account: revoke every token (sockets dropped) and refuse its sign-ins and recovery until unlock_account. An outstanding recovery code is kept and works again after unlocking.',
  },
  description: 'revoke every token of the account and refuse its sign-ins and recovery until unlock',
  args: { login: loginArgument },
  annotations: DESTRUCTIVE(true),
  print: (result) => [
    `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${count(result.revoked, 'token')} revoked`,
  ],
  reply: (result) => ({
    text: `${result.login} ${result.changed ? 'locked' : 'was already locked'}; ${result.revoked} token(s) revoked`,
    data: { ...result, locked: true },
  }),
};

export const UNLOCK: OwnerCommandDeclaration<LockResult> = {
  cli: 'unlock',
  mcp: {
    name: 'unlock_account',
    title: 'Unlock an account',
    description: 'Unlock an account locked with lock_account: it can sign in (with its password) and recover again.',
  },
  description: 'let the account sign in and recover again',
  args: { login: loginArgument },
  annotations: { readOnly: false, destructive: false, idempotent: true },
  print: (result) => [`${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`],
  reply: (result) => ({
    text: `${result.login} ${result.changed ? 'unlocked' : 'was not locked'}`,
    data: { login: result.login, changed: result.changed, locked: false },
  }),
};

/** `turnedOff` false: the account had no second factor (its tokens are revoked all the same). */
export interface TwoFactorResetResult {
  login: string;
  turnedOff: boolean;
  revoked: number;
}

export const RESET_TWO_FACTOR: OwnerCommandDeclaration<TwoFactorResetResult> = {
  cli: 'reset-2fa',
  mcp: {
    name: 'turn_off_two_factor',
    title: 'Turn off two-factor sign-in',
    description:
      "Turn off an account's two-factor sign-in (its authenticator secret and backup codes are forgotten) and revoke every token (sockets dropped), for a user who lost their authenticator and backup codes. The password stays; the user signs in with it and may set two-factor up again. Do it only once you are satisfied who they are.",
  },
  description:
    "turn off the account's two-factor sign-in (authenticator and backup codes forgotten) and revoke every token; the password stays",
  args: { login: loginArgument },
  annotations: DESTRUCTIVE(true),
  print: (result) => [
    `two-factor sign-in of ${result.login} ${result.turnedOff ? 'turned off' : 'was not on'}; ${count(result.revoked, 'token')} revoked`,
  ],
  reply: (result) => ({
    text: `two-factor sign-in of ${result.login} ${result.turnedOff ? 'turned off' : 'was not on'}; ${result.revoked} token(s) revoked`,
    data: { ...result },
  }),
};

export const DELETE_ACCOUNT: OwnerCommandDeclaration<{ login: string; revoked: number }> = {
  cli: 'delete-account',
  mcp: {
    name: 'delete_account',
    title: 'Delete an account',
    description:
      'Delete an account for good, with all its tokens (sockets dropped) and its recovery code. The login becomes free to register again. Cannot be undone.',
  },
  description: 'delete the account, its tokens and its recovery code; the login can be registered again',
  args: { login: loginArgument },
  annotations: DESTRUCTIVE(false),
  print: (result) => [`account ${result.login} deleted; ${count(result.revoked, 'token')} revoked`],
  reply: (result) => ({
    text: `account ${result.login} deleted; ${result.revoked} token(s) revoked`,
    data: { ...result, deleted: true },
  }),
};
