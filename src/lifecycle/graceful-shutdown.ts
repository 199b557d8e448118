import { type BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { LiveSockets } from '../realtime/live-sockets';

/** How long in-flight requests may take to finish once shutdown has begun. */
export const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Stopping without cutting anyone off. Nest calls beforeApplicationShutdown before any module
 * closes its resources (the database pool, the hashing threads), so here, while they still
 * work: stop accepting connections, tell the sockets why they are being closed and close them,
 * let every request that can still be answered finish (up to DRAIN_TIMEOUT_MS), then close what
 * is left (idle keep-alive connections).
 *
 * A request can be answered while its connection is open. When a client goes away, Node
 * abandons the requests it had queued on that connection without ending their responses (2,000
 * pipelined requests on a dropped connection left 1,982 "in flight" for ever, and every stop
 * waited its full 10 s for them): so requests are counted per connection, and a connection's
 * close forgets all of its own at once.
 */
@Injectable()
export class GracefulShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private inFlight = 0;
  /** Requests in flight per open connection (0 once they are done, until the connection closes). */
  private readonly byConnection = new Map<Socket, number>();
  private drained: (() => void)[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly live: LiveSockets,
  ) {}

  /** Express middleware counting the requests being served. */
  readonly track = (request: Request, response: Response, next: NextFunction): void => {
    const connection = request.socket;
    if (connection.destroyed) return next();
    const count = this.byConnection.get(connection);
    // One listener per connection, however many requests it carries.
    if (count === undefined) connection.once('close', () => this.forget(connection));
    this.byConnection.set(connection, (count ?? 0) + 1);
    this.inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const left = this.byConnection.get(connection);
      // Undefined: its connection closed first, which already forgot it.
      if (left === undefined) return;
      this.byConnection.set(connection, left - 1);
      this.settle(1);
    };
    response.once('finish', finish);
    response.once('close', finish);
    next();
  };

  /** A closed connection's requests can no longer be answered: none of them is waited for. */
  private forget(connection: Socket): void {
    const count = this.byConnection.get(connection) ?? 0;
    this.byConnection.delete(connection);
    if (count > 0) this.settle(count);
  }

  private settle(done: number): void {
    this.inFlight -= done;
    if (this.inFlight === 0) for (const resolve of this.drained.splice(0)) resolve();
  }

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
