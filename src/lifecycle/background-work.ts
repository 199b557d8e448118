import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { liveSocketSweepPeriodMs, SocketRevoker } from '../realtime/socket-revoker';
import { ExpiredTokenSweeper } from '../tokens/expired-token-sweeper';
import { TokenUseRecorder, USE_FLUSH_MS } from '../tokens/token-use-recorder';
import { PeriodicTasks } from './periodic-task';

/**
 * Everything the server does on a timer, in one place. It belongs to the server alone: the
 * owner's command line and MCP server share the services these tasks call but start none of
 * them, so that a slow command never sweeps tokens and writes their expiry as the owner's act.
 */
@Injectable()
export class BackgroundWork implements OnApplicationBootstrap {
  constructor(
    private readonly tasks: PeriodicTasks,
    private readonly uses: TokenUseRecorder,
    private readonly sweeper: ExpiredTokenSweeper,
    private readonly revoker: SocketRevoker,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tasks.start('token-use flush', USE_FLUSH_MS, () => this.uses.flush());
    this.tasks.start('expired-token sweep', this.config.tokenSweepIntervalMs, () => this.sweeper.sweep());
    this.tasks.start('live-socket sweep', liveSocketSweepPeriodMs(this.config.tokenSweepIntervalMs), () =>
      this.revoker.sweep(),
    );
  }
}
