import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { identifierKey } from '../accounts/identifier';
import { PasswordGate } from '../auth/password-gate';
import { StepUp } from '../auth/step-up';
import { Clock } from '../clock/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import { RefusedAttempt } from '../limits/sign-in-limiter';
import type { Session } from '../tokens/session';
import { SessionRevoker } from '../tokens/session-revoker';
import { TokenStore } from '../tokens/token-store';
import { TokenVerifier } from '../tokens/token-verifier';
import { SecondFactor } from './second-factor';
import { matchingStep, newTotpSecret, otpauthUri, base32Of } from './totp';
import { TwoFactorConfig } from './two-factor.config';
import { TwoFactorStore } from './two-factor.store';

/** How long a setup waits for its confirming code (CONTRACT section 18). */
export const PENDING_SETUP_MS = 10 * 60_000;

const alreadyOn = () => new DomainError('conflict', 'two-factor sign-in is already on');
const notOn = () => new DomainError('conflict', 'two-factor sign-in is not on');
const noPendingSetup = () =>
  new DomainError(
    'conflict',
    'no pending setup: start with POST /api/auth/2fa/setup (a setup expires after 10 minutes)',
  );
const wrongCode = () =>
  new RefusedAttempt(
    new DomainError('forbidden', 'the code is wrong: enter the current code of the authenticator app', {
      fields: { secondFactor: 'required' },
    }),
    true,
    'second-factor',
  );

/**
 * Setting up, turning on and off two-factor sign-in, and new backup codes (CONTRACT section 18),
 * for a signed-in caller. Each answers in the contract's order: the body (the pipe), then the
 * state (409), then the password (403), then the code (403 with `"secondFactor":"required"`).
 */
@Injectable()
export class TwoFactorService {
  constructor(
    private readonly store: TwoFactorStore,
    private readonly secondFactor: SecondFactor,
    private readonly accounts: AccountsService,
    private readonly stepUp: StepUp,
    private readonly gate: PasswordGate,
    private readonly tokens: TokenStore,
    private readonly verifier: TokenVerifier,
    private readonly revoker: SessionRevoker,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    private readonly config: TwoFactorConfig,
  ) {}

  /** A new secret to confirm with `enable` within 10 minutes, replacing one not confirmed yet. */
  async setup(
    caller: Session,
    password: string,
    otp: string | undefined,
    address: string,
  ): Promise<{ secret: string; uri: string }> {
    if ((await this.store.state(caller.accountId)).on) throw alreadyOn();
    await this.stepUp.confirm(caller, password, otp, address);
    const secret = newTotpSecret();
    await this.transactions.run(async (manager) => {
      const account = await this.accounts.lockForUpdate(manager, caller.accountId);
      if (account?.twoFactorEnabledAt !== null) throw alreadyOn();
      const expiresAt = this.clock.now() + PENDING_SETUP_MS;
      await this.store.setPending(
        manager,
        caller.accountId,
        this.secondFactor.seal(caller.accountId, secret),
        expiresAt,
      );
    });
    return { secret: base32Of(secret), uri: otpauthUri(this.config.TWO_FACTOR_ISSUER, caller.login, secret) };
  }

  /**
   * Turns two-factor on with a code of the pending secret (a wrong one counts as a failed
   * sign-in), replaces the backup codes, and revokes every other token of the account: they were
   * issued without the second factor. The caller's token keeps working, unrestricted.
   */
  async enable(caller: Session, code: string, address: string): Promise<{ backupCodes: string[]; revoked: number }> {
    const id = caller.accountId;
    const state = await this.store.state(id);
    if (state.on) throw alreadyOn();
    const pending = state.row?.pendingSecret;
    if (!pending || (state.row?.pendingExpiresAt ?? 0) <= this.clock.now()) throw noPendingSetup();
    const attempt = { accountKey: identifierKey(caller.login), login: caller.login, accountId: id, address };
    const enabled = await this.gate.check(attempt, async () => {
      const now = this.clock.now();
      const step = matchingStep(this.secondFactor.open(id, pending), code.replace(/[\s-]+/g, ''), now);
      if (step === null) throw wrongCode();
      return this.transactions.run(async (manager) => {
        const account = await this.accounts.lockForUpdate(manager, id);
        const row = await this.store.findIn(manager, id);
        if (!account || account.twoFactorEnabledAt !== null) throw alreadyOn();
        // Replaced by another setup, or expired, since it was read: that code is not for it.
        if (row?.pendingSecret !== pending || (row.pendingExpiresAt ?? 0) <= now) throw noPendingSetup();
        const { codes, hashes } = this.secondFactor.newBackupCodes(id);
        await this.store.enable(manager, id, pending, step, now);
        await this.store.replaceBackupCodes(manager, id, hashes, now);
        await this.tokens.markSecondFactor(manager, caller.tokenId);
        await this.events.recordIn(manager, {
          event: 'two-factor.enabled',
          accountId: id,
          login: caller.login,
          address,
        });
        const who = { id, login: caller.login };
        const revoked = await this.revoker.revoke(manager, who, { except: caller.tokenId }, 'two-factor', { address });
        return { backupCodes: codes, revoked };
      });
    });
    // The caller's session now says twoFactor and is no longer restricted: read it afresh.
    this.verifier.forgetAccount(id);
    return enabled!;
  }

  /** Turns two-factor off (never under TWO_FACTOR=required); revokes nothing. */
  async disable(caller: Session, password: string, otp: string, address: string): Promise<void> {
    if (this.config.TWO_FACTOR === 'required')
      throw new DomainError('forbidden', 'this server requires two-factor sign-in: it cannot be turned off');
    if (!(await this.store.state(caller.accountId)).on) throw notOn();
    await this.stepUp.confirm(caller, password, otp, address);
    const removed = await this.transactions.run(async (manager) => {
      await this.accounts.lockForUpdate(manager, caller.accountId);
      if (!(await this.store.remove(manager, caller.accountId))) return false;
      const event = { event: 'two-factor.disabled', accountId: caller.accountId, login: caller.login, address };
      await this.events.recordIn(manager, event);
      return true;
    });
    if (!removed) throw notOn();
    this.verifier.forgetAccount(caller.accountId);
  }

  /** Ten new backup codes in place of the old ones; revokes nothing. */
  async regenerateBackupCodes(caller: Session, password: string, otp: string, address: string): Promise<string[]> {
    if (!(await this.store.state(caller.accountId)).on) throw notOn();
    await this.stepUp.confirm(caller, password, otp, address);
    return this.transactions.run(async (manager) => {
      const account = await this.accounts.lockForUpdate(manager, caller.accountId);
      if (account?.twoFactorEnabledAt == null) throw notOn();
      const { codes, hashes } = this.secondFactor.newBackupCodes(caller.accountId);
      await this.store.replaceBackupCodes(manager, caller.accountId, hashes, this.clock.now());
      const event = { event: 'backup-codes.regenerated', accountId: caller.accountId, login: caller.login, address };
      await this.events.recordIn(manager, event);
      return codes;
    });
  }
}
