import { GatehouseModule } from '../../src/extension';
import { CreateNotes1765000000000 } from './1765000000000-CreateNotes';
import { Note } from './note.entity';
import { NotesController } from './notes.controller';
import { NotesGateway } from './notes.gateway';
import { NotesService } from './notes.service';

/**
 * A feature added to Gatehouse: its table, REST routes at each level and a socket event, all
 * behind Gatehouse's token check. Start it with `createApp(config, { modules: [NotesModule] })`.
 */
@GatehouseModule({
  entities: [Note],
  migrations: [CreateNotes1765000000000],
  controllers: [NotesController],
  providers: [NotesService, NotesGateway],
})
export class NotesModule {}
