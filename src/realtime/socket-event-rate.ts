import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { type BirdhouseErrorBody, errorBody } from '../http/error-body';
import type { GatehouseServer } from './socket-session';

/** Refused events in this many consecutive seconds, and the socket is disconnected as the next one starts. */
export const FLOOD_SECONDS = 5;
/** Seconds of the rate a socket may spend at once: bursts up to twice SOCKET_EVENT_RATE. */
const BURST_SECONDS = 2;
/** Refusals answered within one second, in bucket capacities, before the socket is not read for the rest of it. */
const REFUSALS_BEFORE_PAUSE = 2;

/** Any socket.io socket of the application: every namespace's events count. */
type AnySocket = Pick<Socket, 'use' | 'emit' | 'on' | 'disconnect' | 'connected' | 'conn'>;

/** The ws connection under engine.io's WebSocket transport (engine.io keeps it as `socket`). */
interface PausableTransport {
  name: string;
  socket?: { pause(): void; resume(): void };
}

/**
 * SOCKET_EVENT_RATE (CONTRACT section 23): every event packet a socket sends, acknowledged or
 * not, on every namespace, takes one token from the socket's bucket (capacity twice the rate,
 * refilled at the rate). An event that finds the bucket empty is refused before any handler
 * runs, through its acknowledgement when it asked for one, otherwise as an `exception` event,
 * with `{"status":"error","error":"Too Many Requests"}`; a socket with refused events in each
 * of FLOOD_SECONDS consecutive seconds (counted from its first refusal) is disconnected as the
 * next second starts.
 *
 * The bucket is a few numbers on the socket, brought up to date from the Clock when an event
 * comes: no timer, no promise and no allocation per event (a limiter library costs a promise
 * and a result object per event, 3 to 7 µs each measured here, against 0.07 µs). The refusal
 * is one object made once. A socket that is refused more than REFUSALS_BEFORE_PAUSE bucket
 * capacities within one second is not read for the rest of that second: its later frames wait
 * in its own TCP window, and a flood costs the server a few hundred refusals a second rather
 * than one per frame it manages to send. With the WebSocket server's one message per turn
 * (websocket-engine.ts), that bounds what one socket can make the event loop do.
 */
@Injectable()
export class SocketEventLimits {
  private readonly refusal: BirdhouseErrorBody;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.refusal = errorBody(
      'birdhouse',
      429,
      `more than ${config.socketEventRate} events per second on this socket`,
    ) as BirdhouseErrorBody;
  }

  /** Puts the limit on every socket of every namespace of the server (GatehouseIoAdapter calls it). */
  protect(server: GatehouseServer): void {
    if (this.config.socketEventRate === 0) return;
    const limit = (socket: AnySocket) => this.limit(socket);
    server.sockets.on('connection', limit);
    server.on('new_namespace', (namespace) => namespace.on('connection', limit));
  }

  /** Puts the limit on one connected socket. */
  limit(socket: AnySocket): void {
    const budget = new EventBudget(socket, this.config.socketEventRate, this.clock, this.refusal);
    socket.use(budget.check);
    socket.on('disconnect', budget.stop);
  }
}

/** One socket's bucket and its record of refusals. */
export class EventBudget {
  private readonly capacity: number;
  private readonly perMs: number;
  private readonly pauseAfter: number;
  private tokens: number;
  private updatedAt: number;
  /** When the current run of seconds with refusals began; NaN: none. */
  private streakStart = Number.NaN;
  /** The second of the run (0, 1, ...) of the last refusal, and how many refusals it has had. */
  private second = 0;
  private refusedThisSecond = 0;
  /** The connection while it is not read, and when it will be again. */
  private paused?: { connection: { resume(): void }; timer: NodeJS.Timeout };
  private disconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly socket: AnySocket,
    rate: number,
    private readonly clock: Clock,
    private readonly refusal: BirdhouseErrorBody,
  ) {
    this.capacity = BURST_SECONDS * rate;
    this.perMs = rate / 1000;
    this.pauseAfter = REFUSALS_BEFORE_PAUSE * this.capacity;
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
  }

  /** socket.io middleware of the socket: passes the event on, or refuses it and drops it. */
  readonly check = (event: unknown[], next: (error?: Error) => void): void => {
    const now = this.clock.now();
    const tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
    if (tokens >= 1) {
      this.tokens = tokens - 1;
      next();
      return;
    }
    this.tokens = tokens;
    const ack = event[event.length - 1];
    if (typeof ack === 'function') (ack as (body: BirdhouseErrorBody) => void)(this.refusal);
    else this.socket.emit('exception', this.refusal);
    this.refused(now);
  };

  /**
   * Called when the socket disconnects, for whatever reason. A connection not being read is read
   * again: otherwise it would see neither the client's close nor the answer to its own.
   */
  readonly stop = (): void => {
    clearTimeout(this.disconnectTimer);
    this.resume();
  };

  private refused(now: number): void {
    // A clock set back counts as the same second.
    let second = Math.max(this.second, Math.floor((now - this.streakStart) / 1000));
    // The first refusal, or a second without any since the last: a new run begins.
    if (!(second <= this.second + 1)) {
      this.streakStart = now;
      this.second = second = 0;
      this.refusedThisSecond = 0;
    }
    if (second !== this.second) {
      this.second = second;
      this.refusedThisSecond = 0;
    }
    this.refusedThisSecond++;
    if (second >= FLOOD_SECONDS) {
      this.disconnect();
      return;
    }
    const nextSecond = this.streakStart + (second + 1) * 1000;
    // Refusals in every second so far, the last one included: the next one starting ends it.
    if (second === FLOOD_SECONDS - 1 && this.disconnectTimer === undefined)
      this.disconnectTimer = setTimeout(() => this.disconnect(), nextSecond - now).unref();
    if (this.refusedThisSecond === this.pauseAfter) this.pause(nextSecond - now);
  }

  /** Stops reading the socket's WebSocket for `ms` (a polling transport is read a request at a time anyway). */
  private pause(ms: number): void {
    const transport = this.socket.conn.transport as unknown as PausableTransport;
    const connection = transport.name === 'websocket' ? transport.socket : undefined;
    if (!connection || this.paused) return;
    connection.pause();
    this.paused = { connection, timer: setTimeout(() => this.resume(), ms).unref() };
  }

  private resume(): void {
    if (!this.paused) return;
    clearTimeout(this.paused.timer);
    this.paused.connection.resume();
    this.paused = undefined;
  }

  private disconnect(): void {
    this.stop();
    if (this.socket.connected) this.socket.disconnect(true);
  }
}
