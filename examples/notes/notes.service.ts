import { Injectable } from '@nestjs/common';
import {
  Clock,
  DomainError,
  InjectReadRepository,
  type ReadRepository,
  SecurityEvents,
  type Session,
  TransactionRunner,
} from '../../src/extension';
import type { NoteDto } from './note.dto';
import { Note } from './note.entity';
import { NotesConfig } from './notes.config';

export interface NoteView {
  id: number;
  text: string;
  public: boolean;
  createdAt: string;
}

const view = (note: Note): NoteView => ({
  id: note.id,
  text: note.text,
  public: note.isPublic,
  createdAt: new Date(note.createdAt).toISOString(),
});

/**
 * Reads through the injected repository, typed without writes; writes only through
 * TransactionRunner, which on SQLite keeps them from joining another request's transaction.
 */
@Injectable()
export class NotesService {
  constructor(
    @InjectReadRepository(Note) private readonly notes: ReadRepository<Note>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
    private readonly clock: Clock,
    private readonly config: NotesConfig,
  ) {}

  get maxLength(): number {
    return this.config.NOTES_MAX_LENGTH;
  }

  /** The account's own notes; without an account, everyone's public ones. */
  async list(session: Session | undefined): Promise<NoteView[]> {
    const where = session ? { accountId: session.accountId } : { isPublic: true };
    return (await this.notes.find({ where, order: { id: 'ASC' }, take: 100 })).map(view);
  }

  /** Saves a note; a public one is also the module's security event `note.published`, written once it is saved. */
  async add(session: Session, body: NoteDto): Promise<NoteView> {
    if ([...body.text].length > this.maxLength)
      throw new DomainError('invalid', `text must be at most ${this.maxLength} characters`);
    const note = await this.transactions.run(async (manager) => {
      const saved = await manager.getRepository(Note).save({
        accountId: session.accountId,
        text: body.text,
        isPublic: body.public ?? false,
        createdAt: this.clock.now(),
      });
      if (saved.isPublic)
        await this.events.recordIn(manager, {
          event: 'note.published',
          accountId: session.accountId,
          login: session.login,
          noteId: saved.id,
        });
      return saved;
    });
    return view(note);
  }
}
