import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DatabaseModule } from '../database/database.module';
import { LimitsModule } from '../limits/limits.module';
import { TokensModule } from '../tokens/tokens.module';
import { RecoveryCodesModule } from './recovery-codes.module';
import { RecoveryController } from './recovery.controller';
import { RecoveryService } from './recovery.service';

/** POST /api/auth/recover (CONTRACT section 8). The owner issues codes through src/owner. */
@Module({
  imports: [DatabaseModule, AccountsModule, TokensModule, LimitsModule, RecoveryCodesModule],
  controllers: [RecoveryController],
  providers: [RecoveryService],
})
export class RecoveryModule {}
