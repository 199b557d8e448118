import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Account } from '../accounts/account.entity';
import { DatabaseModule } from '../database/database.module';
import { BackupCode } from './backup-code.entity';
import { TwoFactor } from './two-factor.entity';
import { TwoFactorStore } from './two-factor.store';

/** The rows alone, without the secrets key: what the owner's tools need to turn two-factor off. */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([TwoFactor, BackupCode, Account])],
  providers: [TwoFactorStore],
  exports: [TwoFactorStore],
})
export class TwoFactorStoreModule {}
