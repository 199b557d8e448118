import { Injectable } from '@nestjs/common';
import {
  type AuthenticatorTransportFuture,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { accountLocked, AccountsService } from '../accounts/accounts.service';
import { identifierKey } from '../accounts/identifier';
import { AuthService } from '../auth/auth.service';
import { PasswordGate } from '../auth/password-gate';
import type { SignInOrigin } from '../auth/sign-in-origin';
import { StepUp } from '../auth/step-up';
import { Clock } from '../clock/clock';
import { isUniqueViolation } from '../database/database-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { DomainError } from '../errors/domain-error';
import { SecurityEvents } from '../events/security-events';
import { RefusedAttempt } from '../limits/sign-in-limiter';
import type { Session } from '../tokens/session';
import { isPrintableName } from '../tokens/printable';
import { ChallengeStore, newChallenge } from './challenge-store';
import type { Passkey } from './passkey.entity';
import { PasskeyStore } from './passkey.store';
import { RelyingParty } from './relying-party';
import { asAuthentication, asRegistration, challengeOf } from './webauthn-json';

/** ES256 and RS256, as the contract offers them. */
const ALGORITHMS = [-7, -257];
/** What a new passkey is called when the body names none. */
export const DEFAULT_NAME = 'Passkey';

/** One answer for every refused passkey sign-in: it tells nothing of why. */
const refused = (): DomainError => new DomainError('unauthenticated', 'the passkey was not accepted');
const notRegistered = (why: string): DomainError =>
  new DomainError('invalid', `the passkey was not registered: ${why}; ask for new options and try again`);

/** A passkey as its account sees it. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

const viewOf = (row: Passkey): PasskeyView => ({
  id: row.publicId,
  name: row.name,
  createdAt: new Date(row.createdAt).toISOString(),
  lastUsedAt: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
});

/**
 * Registering, listing and removing an account's passkeys, and signing in with one (CONTRACT
 * section 19). The ceremonies are @simplewebauthn/server's; this keeps the challenges (single-use,
 * 5 minutes, on every instance: ChallengeStore), the credentials, and the rules around them: the
 * step-up before a registration or removal, the failure count and the lock at sign-in, and the
 * token issued on the password sign-in's path (AuthService.signInVerified).
 */
@Injectable()
export class PasskeysService {
  constructor(
    private readonly store: PasskeyStore,
    private readonly challenges: ChallengeStore,
    private readonly rp: RelyingParty,
    private readonly accounts: AccountsService,
    private readonly auth: AuthService,
    private readonly stepUp: StepUp,
    private readonly gate: PasswordGate,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  /** Creation options for a new passkey of the caller's account, after the password (and code). */
  async registrationOptions(
    caller: Session,
    password: string,
    otp: string | undefined,
    address: string,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> {
    await this.stepUp.confirm(caller, password, otp, address);
    const userHandle = await this.transactions.run((manager) => this.store.ensureHandle(manager, caller.accountId));
    const existing = await this.store.listOf(caller.accountId);
    const challenge = newChallenge();
    const options = await generateRegistrationOptions({
      rpName: this.rp.name,
      rpID: this.rp.id,
      userName: caller.login,
      userDisplayName: caller.login,
      userID: Buffer.from(userHandle, 'base64url'),
      challenge: Buffer.from(challenge, 'base64url'),
      attestationType: 'none',
      excludeCredentials: existing.map((row) => ({
        id: row.credentialId,
        transports: (row.transports?.split(',') ?? []) as AuthenticatorTransportFuture[],
      })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      supportedAlgorithmIDs: ALGORITHMS,
      timeout: 300_000,
    });
    await this.challenges.put(options.challenge, { purpose: 'register', accountId: caller.accountId });
    return options;
  }

  /** Verifies a registration response against a challenge of the caller's account and stores the passkey. */
  async register(
    caller: Session,
    credential: unknown,
    name: string | undefined,
    address: string,
  ): Promise<PasskeyView> {
    const response = asRegistration(credential);
    if (typeof response === 'string') throw new DomainError('invalid', response);
    if (name !== undefined && !isPrintableName(name))
      throw new DomainError('invalid', 'name must be 1 to 64 printable characters');
    const challenge = challengeOf(response.response.clientDataJSON);
    const taken =
      challenge !== null &&
      (await this.challenges.take(challenge, { purpose: 'register', accountId: caller.accountId }));
    if (!taken) throw notRegistered('no unexpired challenge of this account');
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge!,
      expectedOrigin: this.rp.origins,
      expectedRPID: this.rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: ALGORITHMS,
    }).catch(() => null);
    if (!verified?.verified || !verified.registrationInfo) throw notRegistered('the response does not verify');
    const { credential: made } = verified.registrationInfo;
    try {
      return await this.transactions.run(async (manager) => {
        if (!(await this.accounts.lockForUpdate(manager, caller.accountId))) throw notRegistered('no such account');
        if (await this.store.existsCredential(manager, made.id))
          throw new DomainError('invalid', 'this credential is already registered');
        const row = await this.store.add(
          manager,
          caller.accountId,
          {
            credentialId: made.id,
            publicKey: Buffer.from(made.publicKey).toString('base64url'),
            counter: made.counter,
            transports: response.response.transports ?? [],
            name: name ?? DEFAULT_NAME,
          },
          this.clock.now(),
        );
        await this.events.recordIn(manager, {
          event: 'passkey.added',
          accountId: caller.accountId,
          login: caller.login,
          address,
          passkey: row.publicId,
        });
        return viewOf(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('invalid', 'this credential is already registered');
      throw error;
    }
  }

  async list(caller: Session): Promise<PasskeyView[]> {
    return (await this.store.listOf(caller.accountId)).map(viewOf);
  }

  /**
   * Removes one of the caller's passkeys. Checked in the contract's order: the id (404: not one
   * of the caller's), then the password and code; removing revokes nothing.
   */
  async remove(caller: Session, id: string, password: string, otp: string | undefined, address: string): Promise<void> {
    if (!(await this.store.listOf(caller.accountId)).some((row) => row.publicId === id)) throw notFound();
    await this.stepUp.confirm(caller, password, otp, address);
    const removed = await this.transactions.run(async (manager) => {
      const row = await this.store.remove(manager, caller.accountId, id);
      if (row)
        await this.events.recordIn(manager, {
          event: 'passkey.removed',
          accountId: caller.accountId,
          login: caller.login,
          address,
          passkey: row.publicId,
        });
      return row;
    });
    if (!removed) throw notFound();
  }

  /** Request options for a discoverable sign-in: no allowCredentials, the browser offers its passkeys. */
  async loginOptions(): Promise<PublicKeyCredentialRequestOptionsJSON> {
    const options = await generateAuthenticationOptions({
      rpID: this.rp.id,
      challenge: Buffer.from(newChallenge(), 'base64url'),
      userVerification: 'required',
      timeout: 300_000,
    });
    await this.challenges.put(options.challenge, { purpose: 'login', accountId: null });
    return options;
  }

  /**
   * Signs in with a passkey. The challenge is used up first, whatever follows. Every refusal is
   * one 401; once the credential is known, a refusal counts as a failed sign-in of its account
   * (section 9) and a locked-out (account, address) is 429. A locked account is 403, told only
   * for a response that verified.
   */
  async login(credential: unknown, origin: SignInOrigin): Promise<string> {
    const response = asAuthentication(credential);
    if (typeof response === 'string') throw new DomainError('invalid', response);
    const challenge = challengeOf(response.response.clientDataJSON);
    const taken = challenge !== null && (await this.challenges.take(challenge, { purpose: 'login', accountId: null }));
    const passkey = await this.store.forSignIn(response.id);
    if (!passkey) throw refused();
    const account = passkey.account;
    const refuse = (): never => {
      throw new RefusedAttempt(refused(), true, 'passkey');
    };
    const outcome = await this.gate.check(
      {
        accountKey: identifierKey(account.login),
        login: account.login,
        accountId: account.id,
        address: origin.address,
      },
      async () => {
        if (!taken) return refuse();
        const handle = passkey.user?.userHandle ?? null;
        if (handle === null || response.response.userHandle !== handle) return refuse();
        const verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge!,
          expectedOrigin: this.rp.origins,
          expectedRPID: this.rp.id,
          requireUserVerification: true,
          credential: {
            id: passkey.credentialId,
            publicKey: Buffer.from(passkey.publicKey, 'base64url'),
            counter: passkey.counter,
          },
        }).catch(() => null);
        if (!verified?.verified) return refuse();
        const { newCounter } = verified.authenticationInfo;
        const issued = await this.auth.signInVerified(account.id, 'passkey', origin, (manager) =>
          this.store.use(manager, passkey.id, newCounter, this.clock.now()),
        );
        if (issued === 'refused') return refuse();
        return issued;
      },
    );
    if (outcome === null) throw refused();
    if (outcome === 'locked') throw accountLocked();
    return outcome.token;
  }
}

const notFound = (): DomainError => new DomainError('not-found', 'the account has no passkey with this id');
