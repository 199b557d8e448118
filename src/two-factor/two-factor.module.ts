import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DatabaseModule } from '../database/database.module';
import { SecretsModule } from '../secrets/secrets.module';
import { SessionRestriction } from '../tokens/session-restriction';
import { SecondFactor } from './second-factor';
import { SecretsKeyCheck } from './secrets-key-check';
import { TwoFactorStoreModule } from './two-factor-store.module';
import { TwoFactorController } from './two-factor.controller';
import { TwoFactorRestriction } from './two-factor.restriction';
import { TwoFactorService } from './two-factor.service';
import { TwoFactorStep } from './two-factor.step';

/**
 * Two-factor sign-in (CONTRACT section 18): the routes, the sign-in step that asks for the code,
 * and the restriction of TWO_FACTOR=required. Global, so that the guard and the socket handshake
 * find SessionRestriction without importing this module.
 */
@Global()
@Module({
  imports: [AuthModule, DatabaseModule, SecretsModule, TwoFactorStoreModule],
  controllers: [TwoFactorController],
  providers: [
    SecondFactor,
    TwoFactorService,
    TwoFactorStep,
    SecretsKeyCheck,
    { provide: SessionRestriction, useClass: TwoFactorRestriction },
  ],
  exports: [SessionRestriction, SecretsKeyCheck],
})
export class TwoFactorModule {}
