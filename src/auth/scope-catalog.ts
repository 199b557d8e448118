import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { GATEHOUSE_SCOPES } from '../tokens/scopes';
import { REQUIRED_SCOPE } from './scope';

/**
 * The scopes an access token can be created with: Gatehouse's own, and every scope a route or
 * socket event of the running application declares with @RequireScope (extension modules
 * included), collected once at start.
 */
@Injectable()
export class ScopeCatalog implements OnApplicationBootstrap {
  private readonly known = new Set<string>(GATEHOUSE_SCOPES);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  has(scope: string): boolean {
    return this.known.has(scope);
  }

  /** Every known scope, Gatehouse's first, then the modules' in alphabetical order. */
  all(): string[] {
    const own = new Set(GATEHOUSE_SCOPES);
    return [...GATEHOUSE_SCOPES, ...[...this.known].filter((s) => !own.has(s)).sort()];
  }

  onApplicationBootstrap(): void {
    for (const wrapper of [...this.discovery.getControllers(), ...this.discovery.getProviders()]) {
      const { instance, metatype } = wrapper;
      if (!instance || typeof instance !== 'object' || !metatype) continue;
      this.add(Reflect.getMetadata(REQUIRED_SCOPE, metatype));
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler === 'function') this.add(Reflect.getMetadata(REQUIRED_SCOPE, handler));
      }
    }
  }

  private add(scope: unknown): void {
    if (typeof scope === 'string') this.known.add(scope);
  }
}
