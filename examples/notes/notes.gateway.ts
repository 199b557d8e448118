import { MessageBody, SubscribeMessage, WebSocketServer } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import { accountRoom, GatehouseGateway, RequireScope, type Session, SocketSession } from '../../src/extension';
import { NoteDto } from './note.dto';
import type { NotesClientEvents, NotesServerEvents } from './notes-events';
import { type NoteView, NotesService } from './notes.service';

/**
 * `notes:add` from one of an account's sockets saves the note and tells every socket of that
 * account (`notes:added`), whichever device it is on; no other account hears of it. A socket
 * opened with an access token needs the `notes:write` scope for it.
 */
@GatehouseGateway()
export class NotesGateway {
  @WebSocketServer() server: Server<NotesClientEvents, NotesServerEvents>;

  constructor(private readonly notes: NotesService) {}

  @SubscribeMessage('notes:add')
  @RequireScope('notes:write')
  async add(
    @SocketSession() session: Session,
    @MessageBody() body: NoteDto,
  ): Promise<{ status: 'ok'; note: NoteView }> {
    const note = await this.notes.add(session, body);
    this.server.to(accountRoom(session.accountId)).emit('notes:added', note);
    return { status: 'ok', note };
  }
}
