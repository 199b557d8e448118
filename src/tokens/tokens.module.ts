import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { ExpiredTokenSweeper } from './expired-token-sweeper';
import { LocalRevocationBus, RevocationBus } from './revocation-bus';
import { Token } from './token.entity';
import { TokensService } from './tokens.service';

@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([Token])],
  providers: [TokensService, ExpiredTokenSweeper, { provide: RevocationBus, useClass: LocalRevocationBus }],
  exports: [TokensService, RevocationBus],
})
export class TokensModule {}
