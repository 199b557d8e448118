import type { Type } from '@nestjs/common';

/**
 * The modules added to Gatehouse (README, "Extending Gatehouse"): the server (main.ts), the
 * owner's command line (cli/main.ts) and MCP server (mcp/main.ts) all load these, so that a
 * module's routes, configuration, events and owner commands are everywhere it is. Add yours:
 *
 *     import { NotesModule } from './notes/notes.module';
 *     export const MODULES: Type[] = [NotesModule];
 */
export const MODULES: Type[] = [];
