import { Injectable } from '@nestjs/common';

/**
 * Where Gatehouse reads the time. Everything that decides by time (token expiry and idle
 * timeout, caches, sweeps, lockout windows, recovery codes) asks this provider, so that a test
 * can move time forward instead of sleeping through it.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch, as Date.now(). */
  now(): number {
    return Date.now();
  }
}

/** A clock a test sets and advances by hand. */
export class ManualClock extends Clock {
  constructor(private current: number = Date.now()) {
    super();
  }

  override now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

/** A clock that runs with real time plus an offset a test can move forward. */
export class OffsetClock extends Clock {
  private offset = 0;

  override now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
