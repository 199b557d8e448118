import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { PasswordHasher } from '../accounts/password-hasher';
import { DatabaseConnector } from '../database/database-connector';
import { DatabaseModule } from '../database/database.module';
import { LiveSockets } from '../realtime/live-sockets';
import { RealtimeModule } from '../realtime/realtime.module';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { Metrics } from './metrics';
import { MetricsEventsListener } from './metrics-events.listener';
import { MetricsServer } from './metrics-server';

/** Points the scrape-time gauges at the parts of the application they describe. */
@Injectable()
class MetricsGauges {
  constructor(
    metrics: Metrics,
    live: LiveSockets,
    hasher: PasswordHasher,
    database: DatabaseConnector,
    @Inject(SHARED_STORE) shared: SharedStore | null,
  ) {
    metrics.watch({
      openSockets: () => live.count(),
      hashQueueDepth: () => hasher.queueDepth,
      hashWaitMs: () => hasher.waitTimes(),
      databaseUp: () => database.isReady,
      redisUp: () => (shared ? shared.isConnected : null),
    });
  }
}

/**
 * Prometheus metrics (CONTRACT section 13). Global, so that a hook anywhere (the token check,
 * the sign-in budget) can take `Metrics` without its module importing this one; the owner's
 * command line does not load it, which is why those hooks take it as optional.
 */
@Global()
@Module({
  imports: [DatabaseModule, SharedStoreModule, RealtimeModule, AccountsModule],
  providers: [{ provide: Metrics, useFactory: () => new Metrics() }, MetricsEventsListener, MetricsGauges, MetricsServer],
  exports: [Metrics],
})
export class MetricsModule {}
