import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { Clock } from '../clock/clock';
import type { AppConfig } from '../config/config';
import { InjectConfig } from '../config/config.module';
import { DatabaseConnector } from '../database/database-connector';
import { TransactionRunner } from '../database/transaction-runner';
import { PeriodicTask } from '../extension-points/periodic-task';
import { AuditConfig } from './audit.config';
import { StoredEvent } from './stored-event.entity';

/** Events per DELETE. */
const BATCH = 1_000;
/** Batches per run, so that one run stays bounded after a long outage or a shortened retention. */
const MAX_BATCHES_PER_RUN = 10;

/**
 * Deletes stored events older than AUDIT_RETENTION, oldest first, in bounded batches; the server
 * runs it every TOKEN_SWEEP_INTERVAL (the period of its other deletions of expired rows), and
 * again shortly after a run that stopped at its bound with more left. With `off`, never.
 */
@Injectable()
export class AuditRetention {
  private readonly logger = new Logger('Audit');

  constructor(
    @InjectRepository(StoredEvent) private readonly events: Repository<StoredEvent>,
    private readonly transactions: TransactionRunner,
    private readonly database: DatabaseConnector,
    private readonly clock: Clock,
    private readonly audit: AuditConfig,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** TOKEN_SWEEP_INTERVAL, or null (no task) when every event is kept. */
  get periodMs(): number | null {
    return this.audit.AUDIT_RETENTION === null ? null : this.config.tokenSweepIntervalMs;
  }

  /** One run; resolves to true when it stopped at its bound with older events left. */
  @PeriodicTask({ name: 'security-event retention', every: (self: AuditRetention) => self.periodMs })
  async sweep(): Promise<boolean> {
    const retention = this.audit.AUDIT_RETENTION;
    if (retention === null || !this.database.isReady) return false;
    const cutoff = this.clock.now() - retention;
    let deleted = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
        const ids = (
          await this.events
            .createQueryBuilder('e')
            .select('e.id', 'id')
            .where('e.at < :cutoff', { cutoff })
            .orderBy('e.at')
            .limit(BATCH)
            .getRawMany<{ id: string }>()
        ).map((row) => row.id);
        if (ids.length === 0) return false;
        await this.transactions.run((manager) => manager.getRepository(StoredEvent).delete({ id: In(ids) }));
        deleted += ids.length;
        if (ids.length < BATCH) return false;
      }
      return true;
    } finally {
      if (deleted > 0) this.logger.log(`deleted ${deleted} security events older than AUDIT_RETENTION`);
    }
  }
}
