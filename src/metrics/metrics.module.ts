import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { PasswordHasher } from '../accounts/password-hasher';
import { DatabaseConnector } from '../database/database-connector';
import { DatabaseModule } from '../database/database.module';
import { RateLimitObserver } from '../limits/rate-limit-observer';
import { LiveSockets } from '../realtime/live-sockets';
import { RealtimeModule } from '../realtime/realtime.module';
import { SocketSweepObserver } from '../realtime/socket-sweep-observer';
import { SHARED_STORE, type SharedStore } from '../shared-store/shared-store';
import { SharedStoreModule } from '../shared-store/shared-store.module';
import { TokenCheckObserver } from '../tokens/token-check-observer';
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
 * Prometheus metrics (CONTRACT section 13). Global, so that the hooks the token check, the
 * sign-in budget and the live-socket sweep declare (TokenCheckObserver, RateLimitObserver,
 * SocketSweepObserver) reach them without their modules importing this one; the owner's command
 * line does not load it, which is why those hooks are optional, with a default that does nothing.
 */
@Global()
@Module({
  imports: [DatabaseModule, SharedStoreModule, RealtimeModule, AccountsModule],
  providers: [
    { provide: Metrics, useFactory: () => new Metrics() },
    // The hooks the lower folders declare, so that they never import this one.
    { provide: TokenCheckObserver, useExisting: Metrics },
    { provide: RateLimitObserver, useExisting: Metrics },
    { provide: SocketSweepObserver, useExisting: Metrics },
    MetricsEventsListener,
    MetricsGauges,
    MetricsServer,
  ],
  exports: [Metrics, TokenCheckObserver, RateLimitObserver, SocketSweepObserver],
})
export class MetricsModule {}
