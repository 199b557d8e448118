import { type DynamicModule, Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import type { EntryPoint } from './security-event';
import { SECURITY_ENTRY_POINT, SECURITY_LOG_SINK, SecurityEvents, type SecurityLogSink } from './security-events';

export interface EventsOptions {
  /** Where the JSON lines go; the server's default is stdout. */
  sink?: SecurityLogSink;
  /** Set by the owner's command line and MCP server; absent for the HTTP API. */
  via?: EntryPoint;
}

const stdout: SecurityLogSink = (line) => process.stdout.write(`${line}\n`);

/** Security events (section 15): the log lines and the in-process listener API. */
@Global()
@Module({})
export class EventsModule {
  static forRoot(options: EventsOptions = {}): DynamicModule {
    return {
      module: EventsModule,
      imports: [EventEmitterModule.forRoot({ wildcard: false, maxListeners: 0 })],
      providers: [
        SecurityEvents,
        { provide: SECURITY_LOG_SINK, useValue: options.sink ?? stdout },
        { provide: SECURITY_ENTRY_POINT, useValue: options.via ?? null },
      ],
      exports: [SecurityEvents],
    };
  }
}
