/** The security events of the contract (section 15), by name. */
export type SecurityEventName =
  | 'account.registered'
  | 'sign-in.succeeded'
  | 'sign-in.failed'
  | 'sign-in.locked-out'
  | 'token.revoked'
  | 'password.changed'
  | 'account.deleted'
  | 'account.locked'
  | 'account.unlocked'
  | 'recovery-code.issued'
  | 'recovery-code.redeemed'
  | 'recovery-code.failed';

/** Why a token stopped working (`token.revoked`). */
export type RevocationCause =
  | 'invalidate'
  | 'session'
  | 'others'
  | 'password-change'
  | 'expiry'
  | 'idle'
  | 'owner'
  | 'deletion'
  | 'lock'
  | 'recovery';

/** An entry point other than this server's HTTP API. */
export type EntryPoint = 'cli' | 'mcp';

/**
 * One security event, as written to the log and delivered to listeners. It never holds a
 * password, a token, a recovery code or a hash of one.
 */
export interface SecurityEvent {
  event: SecurityEventName;
  /** null only for a failed sign-in or recovery naming no account. */
  accountId: number | null;
  /** The login as registered, or as given when no account has it. */
  login: string;
  /** The client address (section 9), where the event came over the network. */
  address: string | null;
  /** ISO 8601, UTC. */
  at: string;
  /** Set when the event did not come through this server's HTTP API. */
  via?: EntryPoint;
  /** For token.revoked. */
  cause?: RevocationCause;
  /** For token.revoked when one call revoked several tokens. */
  count?: number;
}

/** What a caller supplies; the time and the entry point are filled in. */
export type SecurityEventInput = Omit<SecurityEvent, 'at' | 'via' | 'address'> & { address?: string | null };
