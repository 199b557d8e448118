import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors } from './support/browser';
import { eachEngine } from './support/engines';
import { b64, client, uniqueLogin } from './support/http';

/** `npm run screenshot` sets this: the path (from the project root) of the README's picture. */
const SCREENSHOT = process.env.GATEHOUSE_SCREENSHOT;

eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const browser = browserPerSuite();
  const test = (name: string, body: () => Promise<void>): void => {
    it(name, { skip: BROWSER_SKIP }, body);
  };

  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await (await browser.context()).newPage();
    const errors = pageErrors(page);
    await page.goto(`${running().url}/account`);
    return { page, errors };
  }

  async function signIn(page: Page, login: string, password: string): Promise<string> {
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
    await page.locator('#socket-state', { hasText: /^connected$/ }).waitFor({ timeout: 5000 });
    return (await page.evaluate<string | null>("sessionStorage.getItem('gatehouse.token')"))!;
  }

  const signInForm = (page: Page) => page.getByRole('heading', { name: 'Sign in' });
  const notice = (page: Page) => page.getByRole('status');

  test('signs in, shows the account and its live socket, and keeps the token in sessionStorage only', async () => {
    const { login, password } = await api.account(uniqueLogin('Page'));
    const { page, errors } = await openPage();
    const token = await signIn(page, login, password);
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).body.handle, login);
    assert.equal(await page.evaluate<number>('localStorage.length'), 0);
    assert.deepEqual(await page.context().cookies(), []);
    // A missing route is the sessions spec's business; here: no script error, no CSP refusal.
    assert.deepEqual(
      errors.filter((e) => !e.startsWith('Failed to load resource')),
      [],
    );
  });

  test('refuses a wrong password with a message and stays on the sign-in form', async () => {
    const { login } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await notice(page).filter({ hasText: 'Sign-in failed' }).waitFor();
    assert.ok(await signInForm(page).isVisible());
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
  });

  test('signs out: the token is invalidated and forgotten', async () => {
    const { login, password } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    const token = await signIn(page, login, password);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await notice(page).filter({ hasText: 'You are signed out.' }).waitFor();
    assert.ok(await signInForm(page).isVisible());
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 401);
  });

  test('drops its token on 401 but keeps it on 503 (the service could not check it)', async () => {
    const { login, password } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    const token = await signIn(page, login, password);
    // The database being away is simulated at the browser's network layer for this one call.
    await page.route('**/api/auth/me', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: '{"status":"error","error":"Service Unavailable"}',
      }),
    );
    await page.reload();
    await notice(page).filter({ hasText: 'temporarily unavailable' }).waitFor();
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('gatehouse.token')"), token);
    assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
    await page.unroute('**/api/auth/me');
    await api.post('/api/auth/invalidate', { token }, { Authentication: token });
    await page.reload();
    await signInForm(page).waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
  });

  /** Signs the page in, revokes its token from another client, and times the page's return to sign-in. */
  async function timeReturnToSignIn(revoke: (login: string, password: string, pageToken: string) => Promise<void>) {
    const { login, password } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    const pageToken = await signIn(page, login, password);
    const started = Date.now();
    await revoke(login, password, pageToken);
    await signInForm(page).waitFor({ timeout: 3000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `back to the sign-in form after ${elapsed} ms`);
    await notice(page).filter({ hasText: 'ended elsewhere' }).waitFor();
    assert.equal(await page.evaluate<number>('sessionStorage.length'), 0);
  }

  test('returns to the sign-in form within a second when another client invalidates its token', () =>
    timeReturnToSignIn(async (login, password, pageToken) => {
      const other = (await api.post('/auth', { login, password })).body.token;
      assert.equal(
        (await api.post('/api/auth/invalidate', { token: pageToken }, { Authentication: other })).status,
        200,
      );
    }));

  test('returns to the sign-in form within a second when another client ends all other sessions', () =>
    timeReturnToSignIn(async (login, password) => {
      const other = (await api.post('/auth', { login, password })).body.token;
      const reply = await api.post(
        '/api/auth/sessions/revoke-others',
        { pwd: b64(password) },
        { Authentication: other },
      );
      assert.equal(reply.status, 200, reply.text);
    }));

  test('lists its sessions with this one marked, and ends another one', async () => {
    const { login, password, token: other } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    await signIn(page, login, password);
    const rows = page.locator('#sessions tr');
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.filter({ hasText: 'This session' }).count(), 1);
    await page.getByRole('button', { name: /^End session of / }).click();
    await notice(page).filter({ hasText: 'Session ended.' }).waitFor();
    // The list is read again after the notice: wait for the ended row to go.
    await rows.nth(1).waitFor({ state: 'detached', timeout: 3000 });
    assert.equal(await rows.count(), 1);
    assert.equal((await api.get('/api/auth/me', { Authentication: other })).status, 401);
  });

  test('ends all other sessions after asking for the password again', async () => {
    const { login, password, token: other } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    const mine = await signIn(page, login, password);
    await page.getByLabel('Your password').first().fill(password);
    await page.getByRole('button', { name: 'End all other sessions' }).click();
    await notice(page).filter({ hasText: 'Ended 1 other session(s).' }).waitFor();
    assert.equal((await api.get('/api/auth/me', { Authentication: other })).status, 401);
    assert.equal((await api.get('/api/auth/me', { Authentication: mine })).status, 200);
  });

  test('changes the password: the old one stops working, the page stays signed in', async () => {
    const { login, password } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    const mine = await signIn(page, login, password);
    await page.getByLabel('Current password').fill('wrong-password');
    await page.getByLabel('New password').fill('a-new-pass-phrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await notice(page).filter({ hasText: 'Could not change the password' }).waitFor();
    await page.getByLabel('Current password').fill(password);
    await page.getByLabel('New password').fill('a-new-pass-phrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await notice(page).filter({ hasText: 'Password changed.' }).waitFor();
    assert.equal((await api.post('/auth', { login, password })).status, 401);
    assert.equal((await api.post('/auth', { login, password: 'a-new-pass-phrase' })).status, 200);
    assert.equal((await api.get('/api/auth/me', { Authentication: mine })).status, 200);
  });

  test('deletes the account and returns to the sign-in form', async () => {
    const { login, password, token } = await api.account(uniqueLogin('Page'));
    const { page } = await openPage();
    await signIn(page, login, password);
    await page.getByLabel('Your password').last().fill(password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await notice(page).filter({ hasText: 'Your account has been deleted.' }).waitFor();
    assert.ok(await signInForm(page).isVisible());
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).status, 401);
    assert.equal((await api.post('/register', { login, password })).status, 200, 'the handle is free again');
  });

  it(
    'takes the README screenshot',
    { skip: BROWSER_SKIP || (SCREENSHOT ? false : 'only with npm run screenshot') },
    async (t) => {
      if (db().engine !== 'sqlite') return t.skip('taken once, on SQLite');
      const login = 'ada';
      const password = 'correct-horse-battery';
      await api.account(login, password);
      await api.post(
        '/auth',
        { login, password },
        {
          'User-Agent':
            'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
        },
      );
      const { page } = await openPage();
      await page.setViewportSize({ width: 900, height: 1100 });
      await signIn(page, login, password);
      await page
        .locator('#sessions tr')
        .nth(1)
        .waitFor({ timeout: 2000 })
        .catch(() => undefined);
      const file = join(__dirname, '..', '..', SCREENSHOT!);
      mkdirSync(dirname(file), { recursive: true });
      await page.screenshot({ path: file, fullPage: true });
    },
  );
});
