import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { LiveSockets } from '../realtime/live-sockets';

/** How long in-flight requests may take to finish once shutdown has begun. */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Stopping without cutting anyone off. Nest calls beforeApplicationShutdown before any module
 * closes its resources (the database pool, the hashing threads), so here, while they still
 * work: stop accepting connections, tell the sockets why they are being closed and close them,
 * let every request already received finish (up to DRAIN_TIMEOUT_MS), then close what is left
 * (idle keep-alive connections).
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private inFlight = 0;
  private drained: (() => void)[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly live: LiveSockets,
  ) {}

  /** Express middleware counting the requests being served. */
  readonly track = (_request: Request, response: Response, next: NextFunction): void => {
    this.inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (--this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server?.listening) server.close();
    this.live.disconnectAll();
    server?.closeIdleConnections();
    if (this.inFlight > 0) {
      this.logger.log(`waiting for ${this.inFlight} request(s) in flight`);
      const allDone = new Promise<boolean>((resolve) => this.drained.push(() => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS);
      });
      const finished = await Promise.race([allDone, timeout]);
      clearTimeout(timer);
      if (!finished)
        this.logger.warn(`${this.inFlight} request(s) still in flight after ${DRAIN_TIMEOUT_MS} ms; closing`);
    }
    server?.closeAllConnections();
  }
}
