import { Account } from './accounts/account.entity';
import { Passkey, PasskeyChallenge, PasskeyUser } from './passkeys/passkey.entity';
import { StoredEvent } from './audit/stored-event.entity';
import { RecoveryCode } from './recovery/recovery-code.entity';
import { Token } from './tokens/token.entity';
import { BackupCode } from './two-factor/backup-code.entity';
import { TwoFactor } from './two-factor/two-factor.entity';

/**
 * Every entity of Gatehouse, for the DataSources made outside the application: the TypeORM
 * command line (ormconfig.ts) and the schema spec. The application gathers the same ones from
 * its feature modules (TypeOrmModule.forFeature with autoLoadEntities), so that src/database
 * names none of them; test/database-schema.e2e-spec.ts checks that the two lists agree.
 */
export const ENTITIES = [
  Account,
  Token,
  RecoveryCode,
  TwoFactor,
  BackupCode,
  StoredEvent,
  Passkey,
  PasskeyUser,
  PasskeyChallenge,
];
