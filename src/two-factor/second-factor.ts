import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { SecurityEvents } from '../events/security-events';
import { SecretsKey } from '../secrets/secrets-key';
import { generateBackupCodes, hashBackupCode, normaliseBackupCode } from './backup-codes';
import { SecretBox } from './secret-box';
import { matchingStep } from './totp';
import { TwoFactorStore } from './two-factor.store';

/** How a second factor was proved. */
export type SecondFactorKind = 'totp' | 'backup-code';

/** Who presents a code: the account, and the client address for the events. */
export interface CodeHolder {
  id: number;
  login: string;
}

/**
 * The secrets of two-factor sign-in: sealing and opening authenticator secrets, making and hashing
 * backup codes, and accepting a code (`accept`), each under its own key derived from SECRETS_KEY.
 */
@Injectable()
export class SecondFactor {
  private readonly box: SecretBox;
  private readonly backupKey: Buffer;

  constructor(
    key: SecretsKey,
    private readonly store: TwoFactorStore,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {
    this.box = new SecretBox(key.derive('totp-secrets'));
    this.backupKey = key.derive('backup-codes');
  }

  seal(accountId: number, secret: Buffer): string {
    return this.box.seal(accountId, secret);
  }

  /** Throws SecretUnreadable when SECRETS_KEY is not the key it was sealed under. */
  open(accountId: number, sealed: string): Buffer {
    return this.box.open(accountId, sealed);
  }

  /** A fresh set of backup codes to show once, and their hashes to store. */
  newBackupCodes(accountId: number): { codes: string[]; hashes: string[] } {
    const codes = generateBackupCodes();
    return {
      codes,
      hashes: codes.map((code) => hashBackupCode(this.backupKey, accountId, normaliseBackupCode(code)!)),
    };
  }

  /**
   * Accepts `otp` for the account with two-factor on, inside the caller's transaction (rolled back
   * with it): six digits are an authenticator code, good for a step around now later than the
   * last one accepted (recorded here, by one conditional update); anything shaped like a backup
   * code is one of the account's unused ones (used up here, `backup-code.used` recorded). Null for
   * a wrong, used or malformed code.
   */
  async accept(
    manager: EntityManager,
    account: CodeHolder,
    otp: string,
    address: string | null,
  ): Promise<SecondFactorKind | null> {
    const typed = otp.replace(/[\s-]+/g, '');
    if (/^\d{6}$/.test(typed)) {
      const row = await this.store.findIn(manager, account.id);
      if (!row?.secret) return null;
      const step = matchingStep(this.open(account.id, row.secret), typed, this.clock.now());
      if (step === null || (row.lastStep !== null && row.lastStep >= step)) return null;
      return (await this.store.advanceStep(manager, account.id, step)) ? 'totp' : null;
    }
    const backup = normaliseBackupCode(otp);
    if (backup === null) return null;
    const used = await this.store.useBackupCode(
      manager,
      account.id,
      hashBackupCode(this.backupKey, account.id, backup),
    );
    if (!used) return null;
    await this.events.recordIn(manager, {
      event: 'backup-code.used',
      accountId: account.id,
      login: account.login,
      address,
    });
    return 'backup-code';
  }
}
