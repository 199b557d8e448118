import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';

/** Tokens that stopped being valid: every socket opened with one of them must close. */
export interface RevocationEvent {
  tokenIds: number[];
  reason: 'revoked' | 'expired';
}

export type RevocationListener = (event: RevocationEvent) => void;

/**
 * Carries revocations from SessionRevoker to whoever holds connections or caches tokens (the
 * socket revoker, TokenVerifier). This in-process bus serves one instance; with
 * REDIS_URL, RedisRevocationBus (beside this file) takes its place and carries them to every
 * instance, without touching the publisher or the listeners.
 */
export abstract class RevocationBus {
  /** Calls this process's listeners before it returns (what makes a local revocation immediate). */
  abstract publish(event: RevocationEvent): void;
  /** Returns a function that removes the listener. */
  abstract subscribe(listener: RevocationListener): () => void;
}

@Injectable()
export class LocalRevocationBus extends RevocationBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  publish(event: RevocationEvent): void {
    this.emitter.emit('revoked', event);
  }

  subscribe(listener: RevocationListener): () => void {
    this.emitter.on('revoked', listener);
    return () => this.emitter.off('revoked', listener);
  }
}
