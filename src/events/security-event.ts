/** The security events of the contract (section 15), by name. */
export const SECURITY_EVENT_NAMES = [
  'account.registered',
  'sign-in.succeeded',
  'sign-in.failed',
  'sign-in.locked-out',
  'token.revoked',
  'password.changed',
  'account.deleted',
  'account.locked',
  'account.unlocked',
  'recovery-code.issued',
  'recovery-code.redeemed',
  'recovery-code.failed',
  'two-factor.enabled',
  'two-factor.disabled',
  'two-factor.reset',
  'backup-codes.regenerated',
  'backup-code.used',
  'access-token.created',
  'passkey.added',
  'passkey.removed',
] as const;

export type SecurityEventName = (typeof SECURITY_EVENT_NAMES)[number];

/**
 * The name of an event a module declares (`@GatehouseModule({ events: [...] })`): any string as
 * far as types go; recording or listening to a name nobody declared is refused at run time.
 */
export type ModuleEventName = string & {};

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
  | 'recovery'
  | 'two-factor'
  | 'access-token';

/** An entry point other than this server's HTTP API. */
export type EntryPoint = 'cli' | 'mcp';

/** A further detail of an event, written flat into its line (`"stage":"second-factor"`). */
export type EventDetail = string | number | boolean | null;

/** What every event says, and its further details. */
interface SecurityEventFields {
  event: SecurityEventName | ModuleEventName;
  /** null only for a failed sign-in or recovery naming no account. */
  accountId: number | null;
  /** The login as registered, or as given when no account has it. */
  login: string;
  /** For token.revoked. */
  cause?: RevocationCause;
  /** For token.revoked when one call revoked a set of tokens. */
  count?: number;
  /**
   * The client label of the session the event is about, where there is one (a sign-in, a
   * registration): what the User-Agent parser recognised, e.g. "Firefox on Linux", or null.
   */
  client?: string | null;
  /** Further details of the event, each a flat field of its line. */
  [detail: string]: EventDetail | undefined;
}

/**
 * One security event, as written to the log and delivered to listeners. It never holds a
 * password, a token, a recovery code or a hash of one.
 */
export interface SecurityEvent extends SecurityEventFields {
  /** The client address (section 9), where the event came over the network. */
  address: string | null;
  /** ISO 8601, UTC. */
  at: string;
  /** Set when the event did not come through this server's HTTP API. */
  via?: EntryPoint;
}

/** What a caller supplies; the time and the entry point are filled in. */
export interface SecurityEventInput extends SecurityEventFields {
  address?: string | null;
}
