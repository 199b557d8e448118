import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SECURITY_EVENT_LISTENER, SECURITY_EVENT_NAMES_KNOWN } from './security-events';

/**
 * Stops the start when a provider listens to a security event nobody declares (a typo would
 * otherwise be a listener that never hears anything).
 */
@Injectable()
export class SecurityEventListeners implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(SECURITY_EVENT_NAMES_KNOWN) private readonly known: ReadonlySet<string>,
  ) {}

  onModuleInit(): void {
    const unknown: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[method] as object;
        const names = Reflect.getMetadata(SECURITY_EVENT_LISTENER, handler) as string[] | undefined;
        for (const name of names ?? [])
          if (!this.known.has(name)) unknown.push(`${instance.constructor.name}.${method} listens to "${name}"`);
      }
    }
    if (unknown.length > 0)
      throw new Error(`listeners of security events that no module declares: ${unknown.join(', ')}`);
  }
}
