import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';

/** The project root: the nearest folder above this file with a package.json (src/, dist/ or build/src/). */
function projectRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * GET /account: the account page (section 16 of the contract), static files only. Its one script,
 * account.js, is built from app/ on @gatehouse/client by scripts/build-page.mjs (`npm run build`,
 * `npm test`), socket.io's client and the QR code drawing bundled in. The socket.io client's own
 * build stays served beside the page for pages of the same origin that load it as a script (the
 * socket.io server is created with serveClient: false). The page runs under the service's helmet
 * CSP, whose script-src is 'self' alone.
 */
export function serveAccountPage(app: NestExpressApplication): void {
  const files = join(projectRoot(), 'public', 'account');
  if (!existsSync(join(files, 'account.js'))) {
    throw new Error(
      `the account page's script ${join(files, 'account.js')} is not built: run \`npm run build\` (or set ACCOUNT_PAGE=off)`,
    );
  }
  const socketClient = join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js');
  const http = app.getHttpAdapter().getInstance() as express.Express;
  // No validators: every answer is no-store (see src/http/unconditional.ts).
  const uncached = { etag: false, lastModified: false };
  http.get('/account', (_req: express.Request, res: express.Response) =>
    res.sendFile(join(files, 'index.html'), uncached),
  );
  http.get('/account/socket.io.min.js', (_req: express.Request, res: express.Response) =>
    res.sendFile(socketClient, uncached),
  );
  app.use('/account', express.static(files, { index: false, redirect: false, ...uncached }));
}
