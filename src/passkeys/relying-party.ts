import { Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { PasskeyRelyingParty } from './passkeys.config';

/** The WebAuthn relying party as configured: PASSKEY_ORIGINS defaults to http://localhost:<PORT>. */
@Injectable()
export class RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origins: string[];

  constructor(rp: PasskeyRelyingParty, @InjectConfig() config: AppConfig) {
    this.id = rp.PASSKEY_RP_ID;
    this.name = rp.PASSKEY_RP_NAME;
    this.origins = rp.PASSKEY_ORIGINS.length > 0 ? rp.PASSKEY_ORIGINS : [`http://localhost:${config.port}`];
  }
}
