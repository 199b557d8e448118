import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { DatabaseModule } from '../database/database.module';
import { RouteDialectGuard } from '../http/route-dialect';
import { LimitsModule } from '../limits/limits.module';
import { TokensModule } from '../tokens/tokens.module';
import { AuthGuard } from './auth.guard';
import { AuthLevelAudit } from './auth-level-audit';
import { AuthService } from './auth.service';
import { BirdhouseController } from './birdhouse.controller';
import { ClassicController } from './classic.controller';
import { PasswordGate } from './password-gate';
import { RestrictedTokenGuard } from './restricted-token.guard';
import { SignInSteps } from './sign-in-steps';
import { ScopeCatalog } from './scope-catalog';
import { StepUp } from './step-up';

@Module({
  imports: [AccountsModule, TokensModule, LimitsModule, DiscoveryModule, DatabaseModule],
  controllers: [ClassicController, BirdhouseController],
  providers: [
    AuthService,
    PasswordGate,
    SignInSteps,
    StepUp,
    AuthLevelAudit,
    ScopeCatalog,
    // In this order: Nest runs global guards as registered, and a refused body is answered
    // (in the route's dialect) before the token is checked.
    { provide: APP_GUARD, useClass: RouteDialectGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RestrictedTokenGuard },
  ],
  exports: [
    AuthService,
    PasswordGate,
    SignInSteps,
    StepUp,
    AuthLevelAudit,
    ScopeCatalog,
    TokensModule,
    AccountsModule,
    LimitsModule,
  ],
})
export class AuthModule {}
