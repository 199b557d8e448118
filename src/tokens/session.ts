import type { TokenKind } from './token.entity';

/** What a valid token stands for: the result of TokenVerifier.authenticate. */
export interface Session {
  tokenId: number;
  accountId: number;
  /** The account's login as registered (its display form). */
  login: string;
  accountCreatedAt: number;
  issuedAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  /** Whether the account has two-factor sign-in on (GET /api/auth/me's `twoFactor`). */
  twoFactor: boolean;
  /** How the token was signed in (the session's `method`); null for tokens from before it was recorded. */
  method: string | null;
  /**
   * Whether the token was issued by a two-factor sign-in (or lifted by enabling two-factor):
   * without it, TWO_FACTOR=required restricts the token (SessionRestriction).
   */
  secondFactor: boolean;
  /** `session` for a sign-in's token, `access` for an access token made for a program (section 21). */
  kind: TokenKind;
  /**
   * The scopes an access token was granted, parsed once when the token is read (the session is
   * cached, so a scope check costs one Set lookup); null for a sign-in's token, which has every
   * scope.
   */
  scopes: ReadonlySet<string> | null;
}

/** Why a session no longer stands, or that it still does. */
export type SessionState = 'live' | 'expired' | 'idle';

/**
 * The one rule for whether a session still stands, applied by the REST check and the socket
 * handshake (TokenVerifier.authenticate), by a socket as it connects and by the live-socket sweep
 * (through TokenVerifier.isLive): its token expires at `expiresAt`, and with TOKEN_IDLE_TTL
 * (`idleTtlMs`, null when off) it goes idle that long after its last recorded use, or after it
 * was issued when never used. Uses are recorded once a minute, so the idle timeout holds to
 * within a minute. An access token never goes idle: a program may use it once a month.
 */
export function sessionState(session: SessionTimes, now: number, idleTtlMs: number | null): SessionState {
  if (session.expiresAt <= now) return 'expired';
  if (idleTtlMs !== null && session.kind !== 'access' && now - (session.lastUsedAt ?? session.issuedAt) >= idleTtlMs)
    return 'idle';
  return 'live';
}

/** What sessionState reads of a session. */
export type SessionTimes = Pick<Session, 'expiresAt' | 'lastUsedAt' | 'issuedAt'> & { kind?: TokenKind };
