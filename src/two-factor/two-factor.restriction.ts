import { Injectable } from '@nestjs/common';
import type { Session } from '../tokens/session';
import { SessionRestriction } from '../tokens/session-restriction';
import { TwoFactorConfig } from './two-factor.config';

/**
 * TWO_FACTOR=required: a token is restricted unless it was issued by a two-factor sign-in
 * (`password+totp`, `password+backup-code`, `passkey`) or its account enabled two-factor with it.
 */
@Injectable()
export class TwoFactorRestriction extends SessionRestriction {
  readonly active: boolean;

  constructor(config: TwoFactorConfig) {
    super();
    this.active = config.TWO_FACTOR === 'required';
  }

  restricted(session: Session): boolean {
    return this.active && !session.secondFactor;
  }
}
