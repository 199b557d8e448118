import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { periodicTasksOf } from '../extension-points/periodic-task';
import { PeriodicTasks, type Work } from './periodic-task';

/**
 * Starts everything the server does on a timer: every provider method marked @PeriodicTask,
 * Gatehouse's (the token-use flush every second, the expired and idle token sweep every
 * TOKEN_SWEEP_INTERVAL, the live-socket sweep every half of it) and the added modules'. It
 * belongs to the server alone: the owner's command line and MCP server share the services these
 * tasks call but start none of them, so that a slow command never sweeps tokens and writes their
 * expiry as the owner's act.
 */
@Injectable()
export class BackgroundWork implements OnApplicationBootstrap {
  constructor(
    private readonly tasks: PeriodicTasks,
    private readonly discovery: DiscoveryService,
  ) {}

  /**
   * Starts the tasks in the order Nest initialises their modules (the most deeply imported
   * first, as for onModuleInit), so Gatehouse's own come first and the order never changes.
   */
  onApplicationBootstrap(): void {
    const seen = new Set<object>();
    const providers: { instance: Record<string, unknown>; distance: number }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      if (periodicTasksOf(instance).length > 0) providers.push({ instance, distance: wrapper.host?.distance ?? 0 });
    }
    // Array.prototype.sort is stable: a module's providers keep their order.
    for (const { instance } of providers.sort((a, b) => b.distance - a.distance)) {
      for (const { method, declaration } of periodicTasksOf(instance)) {
        const period = typeof declaration.every === 'function' ? declaration.every(instance) : declaration.every;
        if (period === null) continue;
        const work = instance[method] as Work;
        this.tasks.start(declaration.name, period, () => work.call(instance));
      }
    }
  }
}
