import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AuditWriter, FLUSH_MS } from './audit-writer';

/**
 * The owner's tools run no periodic tasks (the server's BackgroundWork), yet an added module's
 * owner command may record an event that waits to be written (`record`), and the MCP server may
 * run for hours: so they write what waits every second too. A failure is left to the next
 * second, and to the last write when the tool stops, which reports what it could not store.
 */
@Injectable()
export class OwnerEventFlush implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(private readonly writer: AuditWriter) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.writer.flush().catch(() => undefined), FLUSH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
