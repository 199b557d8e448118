import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** The system Chromium (Debian's `chromium` package; .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser specs are skipped, or false when they run. Outside CI a machine without
 * Chromium skips them with a notice; under CI=true they are required.
 */
export const BROWSER_SKIP: string | false = existsSync(CHROMIUM)
  ? false
  : process.env.CI === 'true'
    ? false // launching fails, and so does the spec: CI must have the browser
    : `Chromium is not installed at ${CHROMIUM} (apt-get install -y --no-install-recommends chromium): browser specs skipped`;
if (BROWSER_SKIP) console.log(`NOTICE: ${BROWSER_SKIP}`);

/**
 * One headless Chromium for the enclosing suite; each test asks for a fresh context (its own
 * storage). Flags keep it from calling home: this machine reaches only 127.0.0.x.
 */
export function browserPerSuite(): { context(): Promise<BrowserContext> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    if (BROWSER_SKIP) return;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    async context() {
      if (!browser) throw new Error('the browser has not started');
      const context = await browser.newContext();
      contexts.push(context);
      return context;
    },
  };
}

/** Collects what the page reports as errors (CSP violations included), for the assertions. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** A small static server on another loopback address: another origin for the CORS specs. */
export async function staticSite(
  host: string,
  files: Record<string, { type: string; body: string | Buffer }>,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const file = files[new URL(request.url ?? '/', 'http://x').pathname];
    if (!file) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
