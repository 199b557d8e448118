import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { ExpiredTokenSweeper } from './expired-token-sweeper';
import { RedisRevocationBus } from './redis-revocation.bus';
import { LocalRevocationBus, RevocationBus } from './revocation-bus';
import { SessionsService } from './sessions.service';
import { Token } from './token.entity';
import { TokenUseRecorder } from './token-use-recorder';
import { TokensService } from './tokens.service';

@Module({
  imports: [DatabaseModule, SharedStoreModule, TypeOrmModule.forFeature([Token])],
  providers: [
    TokensService,
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
  exports: [TokensService, SessionsService, TokenUseRecorder, ExpiredTokenSweeper, RevocationBus],
})
export class TokensModule {}
