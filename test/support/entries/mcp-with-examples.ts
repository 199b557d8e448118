// The owner's MCP server with the example modules, as src/mcp/main.ts runs it with src/modules.ts.
import 'reflect-metadata';
import { serveOwnerMcp } from '../../../src/mcp/mcp-process';
import { EXAMPLE_MODULES } from './examples';

void serveOwnerMcp(EXAMPLE_MODULES);
