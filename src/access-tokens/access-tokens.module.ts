import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DatabaseModule } from '../database/database.module';
import { AccessTokensController, IntrospectionController } from './access-tokens.controller';
import { AccessTokensService } from './access-tokens.service';
import { IntrospectionService } from './introspection.service';

/**
 * Access tokens for programs and token introspection (CONTRACT section 21). The scopes
 * themselves (RequireScope, ScopeCatalog, the guard's check) belong to src/auth, since every
 * route declares its own.
 */
@Module({
  imports: [AuthModule, DatabaseModule],
  controllers: [AccessTokensController, IntrospectionController],
  providers: [AccessTokensService, IntrospectionService],
})
export class AccessTokensModule {}
