import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { HealthController } from './health.controller';

@Module({ imports: [DatabaseModule, SharedStoreModule], controllers: [HealthController] })
export class HealthModule {}
