import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors } from './support/browser';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';

/**
 * Access tokens on the account page (CONTRACT sections 16 and 21), in Chromium: create one with
 * scopes and an expiry, see it once, use it, see it listed without it, and revoke it. The page
 * keeps nothing of it: it is gone after a reload.
 */
eachEngine(__filename, (db) => {
  const running = appPerSuite(db);
  const api = client(() => running().url);
  const browser = browserPerSuite();
  const notice = (page: Page) => page.getByRole('status');

  it('creates a scoped token shown once, lists it and revokes it', { skip: BROWSER_SKIP }, async () => {
    const { login, password } = await api.account(uniqueLogin('PageAt'));
    const page = await (await browser.context()).newPage();
    const errors = pageErrors(page);
    await page.goto(`${running().url}/account`);
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();

    const section = page.locator('#access-tokens');
    await section.getByText('No access tokens.').waitFor();
    const form = page.locator('#access-token-create');
    await form.getByLabel('Name of the new token').fill('deploy script');
    await form.getByLabel('Your password').fill(password);
    await form.getByRole('button', { name: 'Create access token' }).click();
    await notice(page).filter({ hasText: 'Choose at least one scope' }).waitFor();

    await form.getByRole('checkbox', { name: 'account:read' }).check();
    await form.getByRole('checkbox', { name: 'socket' }).check();
    await form.getByLabel('Expires in').selectOption({ label: '7 days' });
    await form.getByLabel('Your password').fill('not-the-password');
    await form.getByRole('button', { name: 'Create access token' }).click();
    await notice(page).filter({ hasText: 'Could not create the access token' }).waitFor();
    await form.getByLabel('Your password').fill(password);
    await form.getByRole('button', { name: 'Create access token' }).click();
    await notice(page).filter({ hasText: 'Access token "deploy script" created. Copy it now' }).waitFor();
    const shown = (await section.locator('#access-token-value').textContent()) ?? '';
    assert.match(shown, /^gh_at_[A-Za-z0-9_-]{43}$/);
    await section.getByText('shown only this once').waitFor();

    // It works, within its scopes.
    assert.equal((await api.get('/api/auth/me', { Authentication: shown })).body.handle, login);
    const sessions = await api.get('/api/auth/sessions', { Authentication: shown });
    assert.deepEqual([sessions.status, sessions.body.scope], [403, 'sessions:read']);

    const row = page.locator('#access-token-list tr', { hasText: 'deploy script' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /account:read socket/);
    const listed = (await api.get('/api/auth/tokens', { Authentication: shown })).body.tokens;
    const days = (Date.parse(listed[0].expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);

    // Kept nowhere: not in the page's storage, and gone after a reload.
    const stored = await page.evaluate<string>('JSON.stringify([{ ...sessionStorage }, { ...localStorage }])');
    assert.ok(!stored.includes(shown), 'the access token is not stored');
    await page.reload();
    await row.waitFor();
    assert.equal(await section.locator('#access-token-shown').isHidden(), true);
    assert.equal(await page.content().then((html) => html.includes(shown)), false);

    await page.getByRole('button', { name: 'Revoke access token deploy script' }).click();
    await notice(page).filter({ hasText: 'Access token revoked.' }).waitFor();
    await section.getByText('No access tokens.').waitFor();
    assert.equal((await api.get('/api/auth/me', { Authentication: shown })).status, 401);
    assert.deepEqual(
      errors.filter((e) => !e.startsWith('Failed to load resource')),
      [],
    );
  });
});
