import { Injectable } from '@nestjs/common';
import { Clock, InjectReadRepository, type ReadRepository, type Session, TransactionRunner } from '../../src/extension';
import type { NoteDto } from './note.dto';
import { Note } from './note.entity';

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
    private readonly clock: Clock,
  ) {}

  /** The account's own notes; without an account, everyone's public ones. */
  async list(session: Session | undefined): Promise<NoteView[]> {
    const where = session ? { accountId: session.accountId } : { isPublic: true };
    return (await this.notes.find({ where, order: { id: 'ASC' }, take: 100 })).map(view);
  }

  async add(session: Session, body: NoteDto): Promise<NoteView> {
    const note = await this.transactions.run((manager) =>
      manager.getRepository(Note).save({
        accountId: session.accountId,
        text: body.text,
        isPublic: body.public ?? false,
        createdAt: this.clock.now(),
      }),
    );
    return view(note);
  }
}
