import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { DatabaseModule } from '../database/database.module';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { ChallengeStore, DatabaseChallengeStore, RedisChallengeStore } from './challenge-store';
import { Passkey, PasskeyChallenge, PasskeyUser } from './passkey.entity';
import { PasskeyStore } from './passkey.store';
import { PasskeyLoginController, PasskeysController } from './passkeys.controller';
import { PasskeysService } from './passkeys.service';
import { RelyingParty } from './relying-party';

/**
 * The tables of passkeys, loaded whether PASSKEYS is on or off: an account's passkeys are kept
 * (and deleted with it) while the feature is off.
 */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([Passkey, PasskeyUser, PasskeyChallenge])],
  exports: [TypeOrmModule],
})
export class PasskeyTablesModule {}

/**
 * Passkeys (CONTRACT section 19): the six routes, loaded only with PASSKEYS=on (AppModule), so that
 * with it off they answer 404 and are absent from the OpenAPI document. Challenges wait in Redis
 * when REDIS_URL is set, in the database otherwise; either way every instance sees them.
 */
@Module({
  imports: [AuthModule, DatabaseModule, SharedStoreModule, PasskeyTablesModule],
  controllers: [PasskeysController, PasskeyLoginController],
  providers: [
    PasskeyStore,
    PasskeysService,
    RelyingParty,
    DatabaseChallengeStore,
    {
      provide: ChallengeStore,
      inject: [SHARED_STORE, DatabaseChallengeStore],
      useFactory: (shared: SharedStore | null, database: DatabaseChallengeStore) =>
        shared ? new RedisChallengeStore(shared) : database,
    },
  ],
})
export class PasskeysModule {}
