#!/usr/bin/env node
// Bundles the account page's script (src/account-page/app/account.ts, built on @gatehouse/client,
// socket.io's client and qrcode-generator) into public/account/account.js, the one script the page
// loads: no CDN, nothing inline, so it runs under the service's CSP (script-src 'self').
// `npm run build` and the test runner (scripts/run-tests.js) run it; the bundle is not committed.
// The client library is bundled from its sources, so the page never waits for its build.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'src', 'account-page', 'app', 'account.ts')],
  outfile: join(root, 'public', 'account', 'account.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  legalComments: 'eof',
  alias: { '@gatehouse/client': join(root, 'client', 'src', 'index.ts') },
  tsconfig: join(root, 'src', 'account-page', 'app', 'tsconfig.json'),
  logLevel: 'warning',
});
