import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DatabaseModule } from '../database/database.module';
import { AccountController } from './account.controller';
import { SelfServiceService } from './self-service.service';
import { SessionsController } from './sessions.controller';

/** Sessions, password change and account deletion for a signed-in person (CONTRACT section 11). */
@Module({
  imports: [AuthModule, DatabaseModule],
  controllers: [SessionsController, AccountController],
  providers: [SelfServiceService],
})
export class SelfServiceModule {}
