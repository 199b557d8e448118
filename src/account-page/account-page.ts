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
 * GET /account: the account page (section 16 of the contract), static files only. The socket.io
 * client is the installed package's own build, served beside the page (the socket.io server is
 * created with serveClient: false). The page runs under the service's helmet CSP, whose
 * script-src is 'self' alone.
 */
export function serveAccountPage(app: NestExpressApplication): void {
  const files = join(projectRoot(), 'public', 'account');
  const socketClient = join(dirname(require.resolve('socket.io-client/package.json')), 'dist', 'socket.io.min.js');
  // The package's plain-script build (it defines the global `qrcode`), which is its CommonJS entry.
  const qrCode = require.resolve('qrcode-generator');
  const http = app.getHttpAdapter().getInstance() as express.Express;
  // No validators: every answer is no-store (see src/http/unconditional.ts).
  const uncached = { etag: false, lastModified: false };
  http.get('/account', (_req: express.Request, res: express.Response) =>
    res.sendFile(join(files, 'index.html'), uncached),
  );
  http.get('/account/socket.io.min.js', (_req: express.Request, res: express.Response) =>
    res.sendFile(socketClient, uncached),
  );
  http.get('/account/qrcode.js', (_req: express.Request, res: express.Response) => res.sendFile(qrCode, uncached));
  app.use('/account', express.static(files, { index: false, redirect: false, ...uncached }));
}
