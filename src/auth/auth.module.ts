import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { DatabaseModule } from '../database/database.module';
import { LimitsModule } from '../limits/limits.module';
import { TokensModule } from '../tokens/tokens.module';
import { AuthGuard } from './auth.guard';
import { AuthLevelAudit } from './auth-level-audit';
import { AuthService } from './auth.service';
import { BirdhouseController } from './birdhouse.controller';
import { ClassicController } from './classic.controller';

@Module({
  imports: [AccountsModule, DatabaseModule, TokensModule, LimitsModule, DiscoveryModule],
  controllers: [ClassicController, BirdhouseController],
  providers: [AuthService, AuthLevelAudit, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, AuthLevelAudit, TokensModule],
})
export class AuthModule {}
