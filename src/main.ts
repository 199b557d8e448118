// The server's entry point (`npm start`). The added modules (src/modules.ts) are loaded only once
// Gatehouse's own configuration has been checked: a bad value is one line, at once.
import { serveProcess } from './serve';

serveProcess(async () => (await import('./modules')).MODULES);
