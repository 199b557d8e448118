import assert from 'node:assert/strict';
import { it } from 'node:test';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors } from './support/browser';
import { eachEngine } from './support/engines';
import { postFrom } from './support/from-address';
import { b64, client, uniqueLogin } from './support/http';

/**
 * The account page's recent activity and its warning of a sign-in elsewhere (CONTRACT sections
 * 16 and 20), in Chromium.
 */
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const browser = browserPerSuite();

  it(
    'lists recent activity, and warns at once when the account signs in elsewhere',
    { skip: BROWSER_SKIP, timeout: 60_000 },
    async () => {
      const { login, password } = await api.account(uniqueLogin('Act'));
      const page = await (await browser.context()).newPage();
      const errors = pageErrors(page);
      await page.goto(`${running().url}/account`);
      await page.getByLabel('Handle').fill(login);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#socket-state', { hasText: /^connected$/ }).waitFor({ timeout: 5000 });
      const activity = page.getByRole('table', { name: 'Security events of this account, newest first' });
      // Its own registration is already stored; its sign-ins are written within a second.
      await activity.getByRole('cell', { name: 'Account created' }).waitFor({ timeout: 5000 });
      assert.equal(await page.locator('#notice').textContent(), '', 'no warning for its own sign-in');

      const elsewhere = await postFrom(
        '127.0.0.31',
        running().url,
        '/api/auth/login',
        { handle: login, pwd: b64(password) },
        { 'user-agent': FIREFOX },
      );
      assert.equal(elsewhere.status, 200);
      const notice = page.getByRole('status').filter({ hasText: 'New sign-in to your account' });
      await notice.waitFor({ timeout: 2000 });
      assert.match((await notice.textContent()) ?? '', /from Firefox on Linux at 127\.0\.0\.31/);
      const row = activity.getByRole('row').filter({ hasText: '127.0.0.31' });
      await row.waitFor({ timeout: 2000 });
      assert.match((await row.textContent()) ?? '', /Signed in.*Firefox on Linux/);
      // The new session shows in the list too.
      await page
        .getByRole('table', { name: 'Devices signed in to this account, newest first' })
        .getByRole('row')
        .filter({ hasText: '127.0.0.31' })
        .waitFor({ timeout: 2000 });
      assert.deepEqual(
        errors.filter((e) => !e.startsWith('Failed to load resource')),
        [],
      );
    },
  );
});
