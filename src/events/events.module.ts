import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { type EntryPoint, SECURITY_EVENT_NAMES } from './security-event';
import { SecurityEventListeners } from './security-event-listeners';
import {
  SECURITY_ENTRY_POINT,
  SECURITY_EVENT_NAMES_KNOWN,
  SECURITY_LOG_SINK,
  SecurityEvents,
  type SecurityLogSink,
} from './security-events';

export interface EventsOptions {
  /** Where the JSON lines go; the server's default is stdout. */
  sink?: SecurityLogSink;
  /** Set by the owner's command line and MCP server; absent for the HTTP API. */
  via?: EntryPoint;
  /** The events the added modules declare (`@GatehouseModule({ events })`), besides Gatehouse's own. */
  names?: readonly string[];
}

const stdout: SecurityLogSink = (line) => process.stdout.write(`${line}\n`);

/** The set of every event name; a module's name that is one of Gatehouse's, or declared twice, stops the start. */
export function knownEventNames(moduleNames: readonly string[]): ReadonlySet<string> {
  const known = new Set<string>(SECURITY_EVENT_NAMES);
  for (const name of moduleNames) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(name))
      throw new Error(`security event name "${name}" must be lower-case words joined by dots, e.g. "note.published"`);
    // The stored audit log keeps the name in a column of 64 characters.
    if (name.length > 64) throw new Error(`security event name "${name}" must be at most 64 characters`);
    if (known.has(name)) throw new Error(`security event "${name}" is declared twice`);
    known.add(name);
  }
  return known;
}

/** Security events (section 15): the log lines and the in-process listener API. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(options: EventsOptions = {}): DynamicModule {
    return {
      module: EventsModule,
      imports: [EventEmitterModule.forRoot({ wildcard: false, maxListeners: 0 }), DiscoveryModule],
      providers: [
        SecurityEvents,
        SecurityEventListeners,
        { provide: SECURITY_LOG_SINK, useValue: options.sink ?? stdout },
        { provide: SECURITY_ENTRY_POINT, useValue: options.via ?? null },
        { provide: SECURITY_EVENT_NAMES_KNOWN, useValue: knownEventNames(options.names ?? []) },
      ],
      exports: [SecurityEvents],
    };
  }
}
