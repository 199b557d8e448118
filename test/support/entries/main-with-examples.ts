// The server with the example modules, as src/main.ts runs it with src/modules.ts.
import { serveProcess } from '../../../src/serve';

serveProcess(async () => (await import('./examples')).EXAMPLE_MODULES);
