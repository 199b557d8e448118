import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError } from '../errors/domain-error';
import { type ActivityEntry, activityView, isEventId } from './stored-event';
import { StoredEvent } from './stored-event.entity';

/** Events per page of GET /api/auth/activity. */
export const ACTIVITY_PAGE = 50;

export interface ActivityPage {
  events: ActivityEntry[];
  /** The cursor of the next (older) page; null when this one is the last. */
  next: string | null;
}

/** What the owner asks for (`npm run cli -- events`). */
export interface EventFilter {
  accountId?: number;
  /** Only events at or after this time (ms). */
  since?: number;
  event?: string;
  limit: number;
}

const refusedCursor = (): DomainError =>
  new DomainError('invalid', 'before is not a cursor this service gave for the activity of this account');

/**
 * Reads of the audit log, newest first in the order of (`at`, `id`), each an index range scan
 * (see the migration): an account's events by `IDX_security_events_account`, all events by
 * `IDX_security_events_at`, so that a page costs the same with 10³ or 10⁶ events stored.
 */
@Injectable()
export class AuditQueries {
  constructor(@InjectRepository(StoredEvent) private readonly events: Repository<StoredEvent>) {}

  /**
   * A page of the account's events. The cursor names the last event of the previous page: the
   * page goes on strictly after it (keyset paging), so events recorded meanwhile, all newer,
   * neither repeat nor push entries across pages. A cursor that names no event of the account
   * (forged, garbled, another account's, or an event since deleted by the retention) is refused.
   */
  async activity(accountId: number, before?: string): Promise<ActivityPage> {
    const query = this.events.createQueryBuilder('e').where('e.account_id = :accountId', { accountId });
    if (before !== undefined) {
      const cursor = isEventId(before)
        ? await this.events.findOne({ select: { id: true, accountId: true, at: true }, where: { id: before } })
        : null;
      if (cursor?.accountId !== accountId) throw refusedCursor();
      // The first condition bounds the index range; the second leaves out the cursor and what
      // shares its millisecond but comes before it.
      query
        .andWhere('e.at <= :at', { at: cursor.at })
        .andWhere('(e.at < :at OR e.id < :id)', { at: cursor.at, id: cursor.id });
    }
    const rows = await query
      .orderBy('e.at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .limit(ACTIVITY_PAGE + 1)
      .getMany();
    const page = rows.slice(0, ACTIVITY_PAGE);
    return { events: page.map(activityView), next: rows.length > ACTIVITY_PAGE ? page[page.length - 1].id : null };
  }

  /** The owner's query: the matching events, newest first. */
  list(filter: EventFilter): Promise<StoredEvent[]> {
    const query = this.events.createQueryBuilder('e');
    if (filter.accountId !== undefined) query.andWhere('e.account_id = :accountId', { accountId: filter.accountId });
    if (filter.since !== undefined) query.andWhere('e.at >= :since', { since: filter.since });
    if (filter.event !== undefined) query.andWhere('e.event = :event', { event: filter.event });
    return query.orderBy('e.at', 'DESC').addOrderBy('e.id', 'DESC').limit(filter.limit).getMany();
  }
}
