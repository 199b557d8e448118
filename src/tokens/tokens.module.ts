import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { ExpiredTokenSweeper } from './expired-token-sweeper';
import { RedisRevocationBus } from './redis-revocation.bus';
import { LocalRevocationBus, RevocationBus } from './revocation-bus';
import { SessionRevoker } from './session-revoker';
import { SessionsService } from './sessions.service';
import { Token } from './token.entity';
import { TokenStore } from './token-store';
import { TokenUseRecorder } from './token-use-recorder';
import { TokenVerifier } from './token-verifier';

/**
 * The session lifecycle: TokenStore issues and reads the rows, TokenVerifier checks a token on
 * every request, SessionRevoker is the one way tokens stop working, and the RevocationBus tells
 * caches and sockets (of every instance, with REDIS_URL).
 */
@Module({
  imports: [DatabaseModule, SharedStoreModule, TypeOrmModule.forFeature([Token])],
  providers: [
    TokenStore,
    TokenVerifier,
    SessionRevoker,
    SessionsService,
    TokenUseRecorder,
    ExpiredTokenSweeper,
    {
      // With REDIS_URL, revocations reach every instance's sockets and token cache at once.
      provide: RevocationBus,
      inject: [SHARED_STORE],
      useFactory: (shared: SharedStore | null) => (shared ? new RedisRevocationBus(shared) : new LocalRevocationBus()),
    },
  ],
  exports: [
    TokenStore,
    TokenVerifier,
    SessionRevoker,
    SessionsService,
    TokenUseRecorder,
    ExpiredTokenSweeper,
    RevocationBus,
  ],
})
export class TokensModule {}
