import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { GracefulShutdown } from './graceful-shutdown';

@Module({
  imports: [RealtimeModule],
  providers: [GracefulShutdown],
  exports: [GracefulShutdown],
})
export class LifecycleModule {}
