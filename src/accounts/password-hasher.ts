import { availableParallelism } from 'node:os';
import { access } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Piscina } from 'piscina';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DomainError } from '../errors/domain-error';
import { costOf } from './password-hash';

/**
 * Hashes beyond this many per thread wait in a queue; past it a sign-in is refused with 503
 * rather than left waiting without limit (at cost 10, 50 queued hashes are about 5 s of work
 * per thread).
 */
const QUEUE_PER_THREAD = 50;

/**
 * How much lower than the main thread the hashing threads run (nice(2), through the pool's
 * `@napi-rs/nice`; Linux and macOS). A sign-in storm keeps them busy: at the same priority they
 * take the cores from the event loop, and every authenticated request waits behind a hash. At 10
 * the scheduler weighs the event loop about nine times more, so it runs as soon as it has work,
 * while the hashes still have every cycle it leaves.
 */
export const HASH_THREAD_NICE = 10;

/** 503: the hashing queue is full. */
const hashingBusy = (): DomainError =>
  new DomainError('unavailable', 'too many sign-ins in progress, try again shortly');

/** bcrypt, on a pool of worker threads sized to the machine's cores, below the event loop's priority. */
@Injectable()
export class PasswordHasher implements OnModuleInit, OnApplicationShutdown {
  private readonly pool: Piscina;
  /** A real hash of a random password: what an unknown login is checked against. */
  private decoy: Promise<string>;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    const threads = Math.max(1, availableParallelism());
    // libuv's own thread pool (files, DNS, zlib, for the main thread too) is started by its first
    // task, from the thread that queues it, and a thread takes its creator's priority. The pool's
    // threads would otherwise start it after lowering theirs: queue a task here first.
    access(__filename, () => undefined);
    this.pool = new Piscina({
      filename: join(__dirname, 'password.worker.js'),
      minThreads: threads,
      maxThreads: threads,
      maxQueue: threads * QUEUE_PER_THREAD,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      niceIncrement: HASH_THREAD_NICE,
    });
  }

  onModuleInit(): void {
    this.decoy = this.hash(randomBytes(16).toString('base64'));
    this.decoy.catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return this.run<string>('hash', { password, cost: this.config.bcryptCost });
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.run<boolean>('verify', { password, stored });
  }

  /**
   * Spends one verification, as a wrong password would, so that an unknown login cannot be
   * told from a known one by the time it takes. Always false.
   */
  async verifyDecoy(password: string): Promise<false> {
    await this.verify(password, await this.decoy);
    return false;
  }

  /** Hashes waiting for a thread (for the metrics; read when scraped, never on a sign-in's path). */
  get queueDepth(): number {
    return this.pool.queueSize;
  }

  /** How long hashes waited for a thread since start-up, in milliseconds (the pool's own histogram); null before the first. */
  waitTimes(): { p50: number; p90: number; p99: number; max: number } | null {
    const wait = this.pool.histogram.waitTime;
    if (!Number.isFinite(wait.mean)) return null;
    return { p50: wait.p50, p90: wait.p90, p99: wait.p99, max: wait.max };
  }

  /** A hash made at a lower cost than the configured one is replaced on the next sign-in. */
  needsRehash(stored: string): boolean {
    return costOf(stored) < this.config.bcryptCost;
  }

  private async run<T>(name: 'hash' | 'verify', task: object): Promise<T> {
    try {
      return (await this.pool.run(task, { name })) as T;
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw hashingBusy();
      throw error;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }
}
