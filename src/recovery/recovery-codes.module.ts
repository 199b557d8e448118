import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { RecoveryCode } from './recovery-code.entity';
import { RecoveryCodes } from './recovery-codes';

/** The code store alone: what the owner's tools need to issue codes, without the HTTP route. */
@Module({
  imports: [DatabaseModule, TypeOrmModule.forFeature([RecoveryCode])],
  providers: [RecoveryCodes],
  exports: [RecoveryCodes],
})
export class RecoveryCodesModule {}
