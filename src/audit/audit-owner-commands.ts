import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AccountLookup } from '../accounts/account-lookup';
import { Clock } from '../clock/clock';
import { parseDuration } from '../config/duration';
import { DatabaseConnector } from '../database/database-connector';
import { DomainError } from '../errors/domain-error';
import { loginArgument } from '../extension-points/owner-arguments';
import { OwnerCommand, type OwnerCommandDeclaration } from '../extension-points/owner-command';
import { escapeControlCharacters } from '../tokens/printable';
import { AuditQueries } from './audit-queries';
import { ownerView } from './stored-event';
import type { StoredEvent } from './stored-event.entity';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const EVENT_NAME = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

/** One event as a line: the JSON of its log line with its id, no control character from stored data. */
const line = (row: StoredEvent): string => escapeControlCharacters(JSON.stringify(ownerView(row)));

export const EVENTS: OwnerCommandDeclaration<StoredEvent[]> = {
  cli: 'events',
  mcp: {
    name: 'list_events',
    title: 'List security events',
    description:
      'List the stored security events (the audit log), newest first: of one account when a login is given, else of all accounts. Each has its id, event name, accountId, login, client address, time and details (cause, count, via, ...). Filter by how recent (since, e.g. "24h") and by event name; at most limit events (default 100). Logins and addresses of deleted accounts are erased (null).',
  },
  description:
    'print the stored security events, newest first, one JSON object a line (of one account with <login>); ' +
    'kept for AUDIT_RETENTION',
  args: { login: { ...loginArgument, required: false } },
  options: {
    since: {
      flags: '--since <duration>',
      cli: 'only events of the last <duration>: seconds, or a number with s, m, h, d (e.g. 24h)',
      mcp: z
        .string()
        .max(32)
        .describe('Only events of the last duration: seconds, or a number with s, m, h, d (e.g. "24h").'),
    },
    event: {
      flags: '--event <name>',
      cli: 'only events of this name, e.g. sign-in.failed',
      mcp: z.string().max(64).describe('Only events of this name, e.g. "sign-in.failed".'),
    },
    limit: {
      flags: '--limit <n>',
      cli: `at most n events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})`,
      mcp: z.number().describe(`At most this many events, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
    },
  },
  annotations: { readOnly: true },
  print: (rows) => rows.map(line),
  reply: (rows) => ({
    text: rows.length === 0 ? 'no events' : rows.map(line).join('\n'),
    data: { events: rows.map(ownerView) },
  }),
};

/** The owner's query of the audit log (CONTRACT section 20), for the command line and the MCP server. */
@Injectable()
export class AuditOwnerCommands {
  constructor(
    private readonly lookup: AccountLookup,
    private readonly queries: AuditQueries,
    private readonly database: DatabaseConnector,
    private readonly clock: Clock,
  ) {}

  @OwnerCommand(EVENTS)
  async events(login?: string, since?: string, event?: string, limit?: string | number): Promise<StoredEvent[]> {
    const filter = {
      since: since === undefined ? undefined : this.clock.now() - sinceMs(since),
      event: event === undefined ? undefined : eventName(event),
      limit: limit === undefined ? DEFAULT_LIMIT : count(limit),
    };
    if (login !== undefined) return this.queries.list({ ...filter, accountId: (await this.lookup.byLogin(login)).id });
    if (!this.database.isReady) await this.database.connectOnce();
    return this.queries.list(filter);
  }
}

function sinceMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === null)
    throw new DomainError(
      'invalid',
      `since must be seconds or a number with s, m, h or d, got ${JSON.stringify(text)}`,
    );
  return ms;
}

function eventName(text: string): string {
  if (!EVENT_NAME.test(text) || text.length > 64)
    throw new DomainError('invalid', `event must be an event name such as sign-in.failed, got ${JSON.stringify(text)}`);
  return text;
}

function count(value: string | number): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new DomainError(
      'invalid',
      `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(value)}`,
    );
  return n;
}
