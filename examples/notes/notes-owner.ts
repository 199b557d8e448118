import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import {
  AccountLookup,
  InjectReadRepository,
  loginArgument,
  OwnerCommand,
  type ReadRepository,
  SecurityEvents,
  TransactionRunner,
} from '../../src/extension';
import { Note } from './note.entity';

export interface DeletedNotes {
  login: string;
  deleted: number;
}

/**
 * What the server's owner can do to notes, from the command line (`npm run cli -- delete-notes
 * <login>`) and from an MCP client (tool `delete_notes`), declared once.
 */
@Injectable()
export class NotesOwner {
  constructor(
    private readonly accounts: AccountLookup,
    @InjectReadRepository(Note) private readonly notes: ReadRepository<Note>,
    private readonly transactions: TransactionRunner,
    private readonly events: SecurityEvents,
  ) {}

  @OwnerCommand<DeletedNotes>({
    cli: 'delete-notes',
    mcp: {
      name: 'delete_notes',
      title: 'Delete notes',
      description:
        'Delete every note of an account, public or not. The account and its sessions stay. Cannot be undone.',
    },
    description: 'delete every note of the account (the account stays)',
    args: { login: loginArgument },
    annotations: { readOnly: false, destructive: true, idempotent: true },
    print: (result) => [`${result.deleted} note(s) of ${result.login} deleted`],
    reply: (result) => ({ text: `${result.deleted} note(s) of ${result.login} deleted`, data: { ...result } }),
  })
  async deleteNotes(login: string): Promise<DeletedNotes> {
    const account = await this.accounts.byLogin(login);
    const ids = (await this.notes.find({ select: { id: true }, where: { accountId: account.id } })).map((n) => n.id);
    if (ids.length > 0)
      await this.transactions.run(async (manager) => {
        await manager.getRepository(Note).delete({ id: In(ids) });
        await this.events.recordIn(manager, {
          event: 'notes.deleted',
          accountId: account.id,
          login: account.login,
          count: ids.length,
        });
      });
    return { login: account.login, deleted: ids.length };
  }
}
