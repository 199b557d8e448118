import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { TokensModule } from '../tokens/tokens.module';
import { BackgroundWork } from './background-work';
import { GracefulShutdown } from './graceful-shutdown';
import { PeriodicTasks } from './periodic-task';

/** How the server starts, runs in the background and stops; imported by the server only. */
@Module({
  imports: [RealtimeModule, TokensModule],
  providers: [GracefulShutdown, PeriodicTasks, BackgroundWork],
  exports: [GracefulShutdown, PeriodicTasks],
})
export class LifecycleModule {}
