import { Injectable } from '@nestjs/common';
import { LessThan } from 'typeorm';
import { Clock, PeriodicTask, TransactionRunner } from '../../src/extension';
import { Note } from './note.entity';
import { NotesConfig } from './notes.config';

/** How often the server looks for notes past NOTES_RETENTION. */
const EVERY_MINUTE = 60_000;

/** Deletes notes older than NOTES_RETENTION, on the server only (never the owner's tools). */
@Injectable()
export class NotesRetention {
  constructor(
    private readonly config: NotesConfig,
    private readonly transactions: TransactionRunner,
    private readonly clock: Clock,
  ) {}

  /** Not started at all while NOTES_RETENTION is off. */
  @PeriodicTask({
    name: 'notes retention',
    every: (self: NotesRetention) => (self.config.NOTES_RETENTION === null ? null : EVERY_MINUTE),
  })
  async sweep(): Promise<void> {
    const retention = this.config.NOTES_RETENTION;
    if (retention === null) return;
    const before = this.clock.now() - retention;
    await this.transactions.run((manager) => manager.getRepository(Note).delete({ createdAt: LessThan(before) }));
  }
}
