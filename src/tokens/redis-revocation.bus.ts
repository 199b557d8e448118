import { randomUUID } from 'node:crypto';
import { Logger, type OnModuleInit } from '@nestjs/common';
import { LocalRevocationBus, RevocationBus, type RevocationEvent, type RevocationListener } from './revocation-bus';
import { describeRedisError } from '../shared-store/shared-store-errors';
import type { SharedStore } from '../shared-store/shared-store';

const CHANNEL = 'revocations';
/** More ids than one message of ours ever carries is not one of ours. */
const MAX_IDS_PER_MESSAGE = 1_000_000;

interface Message extends RevocationEvent {
  /** The instance that published it, which has already acted on it. */
  origin: string;
}

/**
 * Revocations shared by every instance through Redis pub/sub. publish() tells this instance's
 * listeners at once, exactly as the local bus does (the revoking request's own sockets drop
 * before it answers), then sends the event to the other instances, whose listeners (the socket
 * revoker, the token cache) act on it as if it were their own.
 *
 * Delivery is best effort by design: a revocation lives in the database, and without the
 * message every instance still sees it within the contract's bounds (the token cache re-reads
 * after 750 ms, the socket sweep runs every TOKEN_SWEEP_INTERVAL). So a failed publish is a
 * warning, never an error thrown into the revoking request.
 */
export class RedisRevocationBus extends RevocationBus implements OnModuleInit {
  private readonly logger = new Logger('SharedStore');
  private readonly local = new LocalRevocationBus();
  private readonly origin = randomUUID();

  constructor(private readonly store: SharedStore) {
    super();
  }

  /** Subscribes before the application serves anything (see SharedStore.subscribe). */
  async onModuleInit(): Promise<void> {
    await this.store.subscribe(CHANNEL, (text) => this.receive(text));
  }

  publish(event: RevocationEvent): void {
    this.local.publish(event);
    const message: Message = { origin: this.origin, tokenIds: event.tokenIds, reason: event.reason };
    this.store.publish(CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
      this.logger.warn(
        `could not tell the other instances about a revocation (${describeRedisError(error)}); ` +
          'they will see it through the database',
      );
    });
  }

  subscribe(listener: RevocationListener): () => void {
    return this.local.subscribe(listener);
  }

  private receive(text: string): void {
    const message = parse(text);
    if (!message || message.origin === this.origin) return;
    try {
      this.local.publish({ tokenIds: message.tokenIds, reason: message.reason });
    } catch (error) {
      this.logger.error(`a revocation listener failed: ${(error as Error).message}`);
    }
  }
}

/** The message, or null for anything that is not a well-formed one (it is ignored). */
function parse(text: string): Message | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const { origin, tokenIds, reason } = (value ?? {}) as Partial<Record<keyof Message, unknown>>;
  if (typeof origin !== 'string' || (reason !== 'revoked' && reason !== 'expired')) return null;
  if (!Array.isArray(tokenIds) || tokenIds.length > MAX_IDS_PER_MESSAGE) return null;
  if (!tokenIds.every((id) => Number.isSafeInteger(id) && id > 0)) return null;
  return { origin, tokenIds: tokenIds as number[], reason };
}
