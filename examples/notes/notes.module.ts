import { GatehouseModule } from '../../src/extension';
import { CreateNotes1765000000000 } from './1765000000000-CreateNotes';
import { Note } from './note.entity';
import { NotesConfig } from './notes.config';
import { NotesController } from './notes.controller';
import { NotesGateway } from './notes.gateway';
import { NotesOwner } from './notes-owner';
import { NotesRetention } from './notes-retention';
import { NotesService } from './notes.service';

/**
 * A feature added to Gatehouse: its table, REST routes at each level and a socket event, all
 * behind Gatehouse's token check; its own settings, an owner command (command line and MCP), a
 * periodic task and security events of its own. Add it to src/modules.ts (or, in a test,
 * `createApp(config, { modules: [NotesModule] })`).
 */
@GatehouseModule({
  entities: [Note],
  migrations: [CreateNotes1765000000000],
  config: [NotesConfig],
  events: ['note.published', 'notes.deleted'],
  controllers: [NotesController],
  providers: [NotesService, NotesGateway, NotesOwner, NotesRetention],
})
export class NotesModule {}
