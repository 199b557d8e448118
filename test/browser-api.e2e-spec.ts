import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors, staticSite } from './support/browser';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

interface BrowserOutcome {
  me: number | string;
  socket: string;
}

/**
 * What a frontend on another origin does: sign in over REST is not needed here (the token
 * comes from the test), it calls GET /api/auth/me with the Authentication header and opens a
 * socket with auth: { token }. Runs in the page; errors come back as text.
 */
async function fromOtherOrigin(page: Page, api: string, token: string, transports?: string[]): Promise<BrowserOutcome> {
  return page.evaluate(
    async ({ api, token, transports }) => {
      const g = globalThis as any;
      let me: number | string;
      try {
        me = (await g.fetch(`${api}/api/auth/me`, { headers: { Authentication: `Bearer ${token}` } })).status;
      } catch (error) {
        me = `refused: ${String(error)}`;
      }
      const socket = g.io(api, { auth: { token }, reconnection: false, ...(transports ? { transports } : {}) });
      const outcome = await new Promise<string>((resolve) => {
        socket.on('connect', () =>
          socket.emit('whoami', (reply: { handle: string }) => resolve(`connected as ${reply.handle}`)),
        );
        socket.on('connect_error', (error: Error) => resolve(`connect_error: ${error.message}`));
        setTimeout(() => resolve('timeout'), 5000);
      });
      socket.close();
      return { me, socket: outcome };
    },
    { api, token, transports },
  );
}

describe('a page on another origin', () => {
  const socketClient = readFileSync(
    join(require.resolve('socket.io-client/package.json'), '..', 'dist', 'socket.io.min.js'),
  );
  let site: Awaited<ReturnType<typeof staticSite>>;
  before(async () => {
    site = await staticSite('127.0.0.2', {
      '/': {
        type: 'text/html',
        body: '<!doctype html><title>Another origin</title><script src="/socket.io.min.js"></script>',
      },
      '/socket.io.min.js': { type: 'text/javascript', body: socketClient },
    });
  });
  after(async () => {
    await site?.close();
  });

  eachEngine(__filename, (db) => {
    const browser = browserPerSuite();
    const listed = appPerSuite(db, () => ({ CORS_ORIGINS: site.origin }));
    const unlisted = appPerSuite(db, { CORS_ORIGINS: 'http://127.0.0.3:1' });

    async function otherOriginPage(): Promise<Page> {
      const page = await (await browser.context()).newPage();
      await page.goto(`${site.origin}/`);
      return page;
    }

    it(
      'calls the API with the Authentication header and opens a socket when its origin is in CORS_ORIGINS',
      { skip: BROWSER_SKIP },
      async () => {
        const { login, token } = await client(() => listed().url).account(uniqueLogin('Cors'));
        const page = await otherOriginPage();
        assert.deepEqual(await fromOtherOrigin(page, listed().url, token), {
          me: 200,
          socket: `connected as ${login}`,
        });
        assert.deepEqual(await fromOtherOrigin(page, listed().url, token, ['websocket']), {
          me: 200,
          socket: `connected as ${login}`,
        });
      },
    );

    it('can do neither when its origin is not listed', { skip: BROWSER_SKIP }, async () => {
      const { token } = await client(() => unlisted().url).account(uniqueLogin('Cors'));
      const page = await otherOriginPage();
      const outcome = await fromOtherOrigin(page, unlisted().url, token);
      assert.match(String(outcome.me), /^refused: TypeError/);
      assert.match(outcome.socket, /^connect_error/);
      // WebSocket is not subject to CORS in the browser: the server itself refuses the origin.
      assert.match((await fromOtherOrigin(page, unlisted().url, token, ['websocket'])).socket, /^connect_error/);
    });
  });
});

eachEngine(`${__filename}-docs`, (db) => {
  const browser = browserPerSuite();
  const running = appPerSuite(db);

  it(
    "renders the document in Swagger UI under the service's CSP, and a 'Try it out' sign-in succeeds",
    { skip: BROWSER_SKIP },
    async () => {
      const handle = uniqueLogin('Swagger');
      await client(() => running().url).post('/api/auth/register', { handle, pwd: b64('swagger-pass-1') });
      const page = await (await browser.context()).newPage();
      const errors = pageErrors(page);
      await page.goto(`${running().url}/docs`);
      const login = page.locator('.opblock', { has: page.locator('[data-path="/api/auth/login"]') });
      await login.locator('.opblock-summary').click();
      await login.getByRole('button', { name: 'Try it out' }).click();
      await login.locator('textarea.body-param__text').fill(JSON.stringify({ handle, pwd: b64('swagger-pass-1') }));
      await login.getByRole('button', { name: 'Execute' }).click();
      const status = login.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor();
      assert.equal((await status.textContent())?.trim(), '200');
      assert.match(
        (await login.locator('.live-responses-table tbody .response-col_description').first().textContent()) ?? '',
        /"token"/,
      );
      assert.equal(await page.locator('.opblock-summary-path[data-path="/api/auth/me"]').count(), 1);
      assert.deepEqual(
        errors.filter((e) => /Refused|Content Security Policy/i.test(e)),
        [],
      );
    },
  );
});
