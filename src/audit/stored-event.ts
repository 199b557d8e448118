import { randomBytes } from 'node:crypto';
import type { EventDetail, SecurityEvent } from '../events/security-event';
import type { SecurityPayload } from '../realtime/socket-session';
import type { StoredEvent } from './stored-event.entity';

/** The fields every stored event has in columns of its own; the rest are its details. */
const COLUMNS = new Set(['event', 'accountId', 'login', 'address', 'client', 'at', 'via']);

/** 128 random bits, base64url: an event's id reveals nothing, not even how many came before. */
export const newEventId = (): string => randomBytes(16).toString('base64url');

/** What newEventId makes (22 characters of base64url); anything else names no event. */
export const isEventId = (text: string): boolean => /^[A-Za-z0-9_-]{22}$/.test(text);

/** The details of a stored event: its fields other than the columns, as they were recorded. */
export type EventDetails = Record<string, EventDetail>;

/**
 * The row of an event. A failure that named no account keeps no login: what a stranger typed
 * into the login field is theirs (it may even be a password), not the service's to keep.
 */
export function rowOf(id: string, event: SecurityEvent): StoredEvent {
  const details: EventDetails = {};
  for (const [key, value] of Object.entries(event)) {
    if (!COLUMNS.has(key) && value !== undefined) details[key] = value;
  }
  return {
    id,
    event: event.event,
    accountId: event.accountId,
    login: event.accountId === null ? null : event.login,
    address: event.address,
    client: event.client ?? null,
    at: Date.parse(event.at),
    via: event.via ?? null,
    details: Object.keys(details).length > 0 ? JSON.stringify(details) : null,
  };
}

/** The same row with what an account's deletion erases set to null. */
export const erased = (row: StoredEvent): StoredEvent => ({ ...row, login: null, address: null, client: null });

/** A stored event's details, the entry point (`via`) among them. */
export function detailsOf(row: Pick<StoredEvent, 'details' | 'via'>): EventDetails {
  const details = row.details === null ? {} : (JSON.parse(row.details) as EventDetails);
  return row.via === null ? details : { ...details, via: row.via };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A stored event as the owner sees it: the fields of its log line, flat, with its id first
 * (`client` and `via` only where the event has them, as in the line).
 */
export function ownerView(row: StoredEvent): Record<string, EventDetail> {
  return {
    id: row.id,
    event: row.event,
    accountId: row.accountId,
    login: row.login,
    address: row.address,
    at: iso(row.at),
    ...(row.client !== null ? { client: row.client } : {}),
    ...detailsOf(row),
  };
}

/** One entry of GET /api/auth/activity. */
export interface ActivityEntry {
  id: string;
  event: string;
  at: string;
  address: string | null;
  client: string | null;
  details: EventDetails;
}

export function activityView(row: StoredEvent): ActivityEntry {
  return {
    id: row.id,
    event: row.event,
    at: iso(row.at),
    address: row.address,
    client: row.client,
    details: detailsOf(row),
  };
}

/** An event on its way to the account's sockets, with what decides whether and where it goes. */
export interface LiveEvent {
  id: string;
  accountId: number;
  payload: SecurityPayload;
}

export function liveEventOf(row: StoredEvent): LiveEvent | null {
  if (row.accountId === null) return null;
  return {
    id: row.id,
    accountId: row.accountId,
    payload: { event: row.event, at: iso(row.at), address: row.address, client: row.client },
  };
}
