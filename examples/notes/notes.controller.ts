import { Body, Controller, Get, Post } from '@nestjs/common';
import { Auth, AuthLevel, CurrentSession, Fails, RequireScope, type Session } from '../../src/extension';
import { NoteDto } from './note.dto';
import { type NoteView, NotesService } from './notes.service';

/**
 * One route per level: every route of an added module declares one, or Gatehouse will not start.
 * The routes that take a token also name the scope an access token needs for them: a route that
 * names none takes only tokens from a sign-in.
 */
@Controller('api/notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get('about')
  @Auth(AuthLevel.NotNeeded)
  about(): { status: 'ok'; maxLength: number } {
    return { status: 'ok', maxLength: this.notes.maxLength };
  }

  @Get()
  @Auth(AuthLevel.Optional)
  @RequireScope('notes:read')
  async list(@CurrentSession() session?: Session): Promise<{ status: 'ok'; notes: NoteView[] }> {
    return { status: 'ok', notes: await this.notes.list(session) };
  }

  @Post()
  @Auth(AuthLevel.Required)
  @RequireScope('notes:write')
  @Fails(400, 'The text is longer than NOTES_MAX_LENGTH')
  async add(@CurrentSession() session: Session, @Body() body: NoteDto): Promise<{ status: 'ok'; note: NoteView }> {
    return { status: 'ok', note: await this.notes.add(session, body) };
  }
}
