import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { RealtimeModule } from '../realtime/realtime.module';
import { BackgroundWork } from './background-work';
import { GracefulShutdown } from './graceful-shutdown';
import { PeriodicTasks } from './periodic-task';

/** How the server starts, runs in the background and stops; imported by the server only. */
@Module({
  imports: [RealtimeModule, DiscoveryModule],
  providers: [GracefulShutdown, PeriodicTasks, BackgroundWork],
  exports: [GracefulShutdown, PeriodicTasks],
})
export class LifecycleModule {}
