import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { Account } from './account.entity';
import { AccountLookup } from './account-lookup';
import { AccountsService } from './accounts.service';
import { PasswordHasher } from './password-hasher';

/** Global, so that an added module's owner command can look accounts up (AccountLookup) without importing it. */
@Global()
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([Account])],
  providers: [AccountsService, PasswordHasher, AccountLookup],
  exports: [AccountsService, PasswordHasher, AccountLookup],
})
export class AccountsModule {}
