import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DatabaseConnector } from '../database/database-connector';
import { SecretUnreadable } from './secret-box';
import { SecondFactor } from './second-factor';
import { TwoFactorStore } from './two-factor.store';

/** The one line a server started with the wrong key stops with. */
export const WRONG_SECRETS_KEY =
  'SECRETS_KEY does not decrypt the stored two-factor secrets: start with the key they were stored under (SECRETS_KEY, or the file SECRETS_KEY_FILE names)';

/**
 * Once the database is open, tries the key on stored authenticator secrets (the first and last
 * rows): a server given another key than the one they were stored under would refuse every
 * two-factor sign-in, so it should not run at all. `refused` resolves with the reason then (the
 * server process prints it and exits, src/serve.ts); it never settles otherwise.
 */
@Injectable()
export class SecretsKeyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('TwoFactor');
  private refuse!: (reason: string) => void;
  readonly refused = new Promise<string>((resolve) => (this.refuse = resolve));

  constructor(
    private readonly database: DatabaseConnector,
    private readonly store: TwoFactorStore,
    private readonly secondFactor: SecondFactor,
  ) {}

  onApplicationBootstrap(): void {
    // The database may come later, or never (the application is closed first): both are fine.
    this.database.connect().then(
      () => this.check(),
      () => undefined,
    );
  }

  private async check(): Promise<void> {
    try {
      for (const { accountId, sealed } of await this.store.samples()) this.secondFactor.open(accountId, sealed);
    } catch (error) {
      if (!(error instanceof SecretUnreadable)) {
        this.logger.warn(`could not check the secrets key: ${(error as Error).message}`);
        return;
      }
      // Said once, by whoever runs the server (src/serve.ts prints it and stops).
      this.refuse(WRONG_SECRETS_KEY);
    }
  }
}
