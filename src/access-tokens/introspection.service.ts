import { Injectable, Optional } from '@nestjs/common';
import { ScopeCatalog } from '../auth/scope-catalog';
import { Clock } from '../clock/clock';
import { tooManyAttempts } from '../errors/domain-error';
import type { Session } from '../tokens/session';
import { SessionRestriction, UNRESTRICTED } from '../tokens/session-restriction';
import { TokenVerifier } from '../tokens/token-verifier';
import { IntrospectionConfig } from './access-tokens.config';

/** RFC 7662's answer for a token that stands. */
export interface ActiveIntrospection {
  active: true;
  sub: string;
  username: string;
  scope: string;
  exp: number;
  iat: number;
  token_type: 'session' | 'access_token';
}

export type Introspection = ActiveIntrospection | { active: false };

const INACTIVE: Introspection = Object.freeze({ active: false });
const WINDOW_MS = 60_000;

/**
 * POST /api/auth/introspect (CONTRACT section 21, RFC 7662): what a token stands for, asked by
 * another service that holds a token with the `introspect` scope. The token is checked by
 * TokenVerifier, the guard's own check and cache, so revocations are seen within the bounds of
 * sections 2 and 14; a token that does not stand is `{"active":false}`, never an error, and is
 * not counted as a refused token check of the caller's address (section 23): the caller is
 * asking on someone else's behalf. A hot token costs no promise and no allocation beyond the
 * answer, which is made once per cached session.
 */
@Injectable()
export class IntrospectionService {
  /** The answer for each cached session (a restricted one's may change with the restriction: not kept). */
  private readonly answers = new WeakMap<Session, ActiveIntrospection>();
  /** Calls per caller token in the current window (INTROSPECTION_PER_MINUTE). */
  private calls = new Map<number, number>();
  private windowEndsAt = 0;
  /** Every scope a sign-in's token has, space-separated, made once the catalog is complete. */
  private everyScope?: string;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly catalog: ScopeCatalog,
    private readonly clock: Clock,
    private readonly config: IntrospectionConfig,
    @Optional() private readonly restriction: SessionRestriction = UNRESTRICTED,
  ) {}

  /** Synchronous for a hot token; a promise only when the database must be asked. */
  introspect(caller: Session, token: string): Introspection | Promise<Introspection> {
    this.count(caller.tokenId);
    const checked = this.verifier.checkToken(token);
    if (checked instanceof Promise) return checked.then((session) => this.answer(session));
    return this.answer(checked);
  }

  private answer(session: Session | null): Introspection {
    if (!session) return INACTIVE;
    if (this.restriction.restricted(session)) return { ...this.active(session), scope: '' };
    return this.active(session);
  }

  private active(session: Session): ActiveIntrospection {
    let answer = this.answers.get(session);
    if (answer === undefined) {
      answer = {
        active: true,
        sub: String(session.accountId),
        username: session.login,
        scope:
          session.scopes === null ? (this.everyScope ??= this.catalog.all().join(' ')) : [...session.scopes].join(' '),
        exp: Math.floor(session.expiresAt / 1000),
        iat: Math.floor(session.issuedAt / 1000),
        token_type: session.kind === 'access' ? 'access_token' : 'session',
      };
      this.answers.set(session, answer);
    }
    return answer;
  }

  /** Fixed one-minute windows per caller token, on this instance; 429 beyond the budget. */
  private count(callerTokenId: number): void {
    const limit = this.config.INTROSPECTION_PER_MINUTE;
    if (limit === 0) return;
    const now = this.clock.now();
    if (now >= this.windowEndsAt) {
      this.calls = new Map();
      this.windowEndsAt = now - (now % WINDOW_MS) + WINDOW_MS;
    }
    const made = (this.calls.get(callerTokenId) ?? 0) + 1;
    this.calls.set(callerTokenId, made);
    if (made > limit)
      throw tooManyAttempts(
        'too many introspection requests with this token (INTROSPECTION_PER_MINUTE)',
        Math.max(1, Math.ceil((this.windowEndsAt - now) / 1000)),
      );
  }
}
