import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { REQUIRED_SCOPE } from '../auth/scope';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  MESSAGE_MAPPING_METADATA,
  MESSAGE_METADATA,
} from '@nestjs/websockets/constants';
import { WsErrorFilter } from './ws-error.filter';

export interface SocketEvent {
  namespace: string;
  event: string;
  /** The scope an access token's socket needs for it (@RequireScope); undefined: any admitted socket. */
  scope?: string;
}

const isWsErrorFilter = (filter: unknown): boolean => filter === WsErrorFilter || filter instanceof WsErrorFilter;

/**
 * Lists every socket event of the application's gateways, and refuses to let the application
 * start while any gateway, or any of its events, could answer an error outside WsErrorFilter:
 * Nest's default would send an opaque "Internal server error" (or a pipe's details) instead of
 * the Birdhouse shape. @GatehouseGateway() declares a gateway that passes.
 */
@Injectable()
export class GatewayAudit implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  events(): SocketEvent[] {
    return this.scan().events;
  }

  onApplicationBootstrap(): void {
    const { faults } = this.scan();
    if (faults.length > 0) throw new Error(`gateways without Gatehouse's error handling: ${faults.join(', ')}`);
  }

  private scan(): { events: SocketEvent[]; faults: string[] } {
    const events: SocketEvent[] = [];
    const faults: string[] = [];
    const seen = new Set<unknown>();
    for (const { metatype } of this.discovery.getProviders()) {
      if (typeof metatype !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, metatype) || seen.has(metatype))
        continue;
      seen.add(metatype);
      const options = (Reflect.getMetadata(GATEWAY_OPTIONS, metatype) ?? {}) as { namespace?: unknown };
      // socket.io's spelling: 'notes' and '/notes' are the same namespace.
      const namespace = options.namespace === undefined ? '/' : String(options.namespace).replace(/^(?!\/)/, '/');
      const classFilters = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, metatype) ?? []) as unknown[];
      if (!classFilters.some(isWsErrorFilter))
        faults.push(`${metatype.name} lacks WsErrorFilter (declare it with @GatehouseGateway())`);
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        if (!Reflect.getMetadata(MESSAGE_MAPPING_METADATA, handler)) continue;
        const scope = (Reflect.getMetadata(REQUIRED_SCOPE, handler) ??
          Reflect.getMetadata(REQUIRED_SCOPE, metatype)) as string | undefined;
        events.push({ namespace, event: String(Reflect.getMetadata(MESSAGE_METADATA, handler)), scope });
        // A filter on the handler runs before the gateway's, so it would answer in its own shape.
        const own = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, handler) ?? []) as unknown[];
        if (own.some((filter) => !isWsErrorFilter(filter)))
          faults.push(`${metatype.name}.${name} has exception filters of its own`);
      }
    }
    return { events, faults };
  }
}
