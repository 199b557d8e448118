import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { CDPSession, Page } from 'playwright-core';
import { type RunningApp, startApp } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors } from './support/browser';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';
import { freePort } from './support/process';

/**
 * The account page with passkeys (CONTRACT sections 16 and 19), in Chromium with its virtual
 * authenticator (a CDP session: resident keys, user verification, presence simulated): add a
 * named passkey, sign out, sign in with it, remove it, and see its sign-in refused. The page is on
 * http://localhost:<port>, a secure context and a valid relying-party id, and the app's
 * PASSKEY_ORIGINS names that origin.
 */
eachEngine(__filename, (db) => {
  let running: RunningApp | undefined;
  let origin = '';
  const api = client(() => running!.url);
  const browser = browserPerSuite();
  const notice = (page: Page) => page.getByRole('status');

  before(async () => {
    if (BROWSER_SKIP) return;
    const port = await freePort();
    origin = `http://localhost:${port}`;
    running = await startApp(db(), { PASSKEY_ORIGINS: origin }, [], { port });
  });
  after(async () => {
    await running?.close();
  });

  /** A virtual platform authenticator for the page, as a phone or laptop would have. */
  async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    return { cdp, authenticatorId };
  }

  async function signInWithPassword(page: Page, login: string, password: string) {
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
  }

  it(
    'adds a named passkey, signs in with it, removes it, and is refused with it afterwards',
    { skip: BROWSER_SKIP },
    async () => {
      const { login, password } = await api.account(uniqueLogin('PagePk'));
      const page = await (await browser.context()).newPage();
      const errors = pageErrors(page);
      const { cdp, authenticatorId } = await virtualAuthenticator(page);
      await page.goto(`${origin}/account`);
      await signInWithPassword(page, login, password);

      const section = page.locator('#passkeys');
      await section.waitFor();
      await section.getByText('No passkeys yet').waitFor();
      const add = page.locator('#passkey-add');
      await add.getByLabel('Name of the new passkey').fill('Test laptop');
      await add.getByLabel('Your password').fill(password);
      await add.getByRole('button', { name: 'Add a passkey' }).click();
      await notice(page).filter({ hasText: 'Passkey "Test laptop" added' }).waitFor();
      await page.locator('#passkey-list tr', { hasText: 'Test laptop' }).waitFor();
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      assert.equal(credentials.length, 1);
      assert.equal(credentials[0].isResidentCredential, true);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await notice(page).filter({ hasText: 'You are signed out.' }).waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
      const row = page.locator('#passkey-list tr', { hasText: 'Test laptop' });
      await row.waitFor();
      assert.doesNotMatch((await row.textContent()) ?? '', /never$/, 'its last use is shown');
      const sessions = await api.get('/api/auth/sessions', {
        Authentication: (await page.evaluate<string>('sessionStorage.getItem("gatehouse.token")')) ?? '',
      });
      assert.equal(sessions.body.sessions.find((s: { current: boolean }) => s.current).method, 'passkey');

      const remove = page.locator('#passkey-remove');
      await remove.getByLabel('Passkey to remove').selectOption({ label: 'Test laptop' });
      await remove.getByLabel('Your password').fill(password);
      await remove.getByRole('button', { name: 'Remove passkey' }).click();
      await notice(page).filter({ hasText: 'Passkey removed.' }).waitFor();
      await section.getByText('No passkeys yet').waitFor();

      // The authenticator still holds the credential; the server no longer accepts it.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await notice(page).filter({ hasText: 'You are signed out.' }).waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await notice(page).filter({ hasText: 'Passkey sign-in failed: the passkey was not accepted' }).waitFor();
      assert.equal(await page.locator('#signed-in').isHidden(), true);
      assert.deepEqual(
        errors.filter((e) => !e.includes('401')),
        [],
      );
    },
  );

  /** An app of its own for one test, on a localhost origin its passkey settings name. */
  async function withApp(env: Record<string, string>, body: (origin: string, app: RunningApp) => Promise<void>) {
    const port = await freePort();
    const own = `http://localhost:${port}`;
    const app = await startApp(db(), { PASSKEY_ORIGINS: own, ...env }, [], { port });
    try {
      await body(own, app);
    } finally {
      await app.close();
    }
  }

  it(
    'under TWO_FACTOR=required, a restricted token sees the add form only, and the passkey lifts the restriction',
    { skip: BROWSER_SKIP },
    () =>
      withApp({ TWO_FACTOR: 'required' }, async (own, app) => {
        const { login, password } = await client(() => app.url).account(uniqueLogin('PagePkReq'));
        const page = await (await browser.context()).newPage();
        const errors = pageErrors(page);
        await virtualAuthenticator(page);
        await page.goto(`${own}/account`);
        await signInWithPassword(page, login, password);
        const section = page.locator('#passkeys');
        const add = page.locator('#passkey-add');
        await add.waitFor();
        assert.equal(await page.locator('#passkey-listing').isHidden(), true, 'the list is not for a restricted token');
        assert.equal(await page.locator('#access-tokens').isHidden(), true);
        await add.getByLabel('Name of the new passkey').fill('Phone');
        await add.getByLabel('Your password').fill(password);
        await add.getByRole('button', { name: 'Add a passkey' }).click();
        await notice(page).filter({ hasText: 'Passkey "Phone" added' }).waitFor();

        await page.getByRole('button', { name: 'Sign out' }).click();
        await notice(page).filter({ hasText: 'You are signed out.' }).waitFor();
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
        await section.locator('#passkey-list tr', { hasText: 'Phone' }).waitFor();
        await page.locator('#access-tokens').waitFor();
        await page.locator('#socket-state', { hasText: /^connected$/ }).waitFor({ timeout: 5000 });
        assert.deepEqual(
          errors.filter((e) => !e.startsWith('Failed to load resource')),
          [],
        );
      }),
  );

  it('with PASSKEYS=off, a click on "Sign in with a passkey" hides it and says why', { skip: BROWSER_SKIP }, () =>
    withApp({ PASSKEYS: 'off' }, async (own, app) => {
      const { login, password } = await client(() => app.url).account(uniqueLogin('PagePkOff'));
      const page = await (await browser.context()).newPage();
      await virtualAuthenticator(page);
      await page.goto(`${own}/account`);
      const button = page.getByRole('button', { name: 'Sign in with a passkey' });
      await button.click();
      await notice(page).filter({ hasText: 'Passkey sign-in is not available' }).waitFor();
      assert.equal(await button.isHidden(), true);
      // Signed in with the password, no passkey section either.
      await signInWithPassword(page, login, password);
      await page.locator('#access-tokens').waitFor();
      assert.equal(await page.locator('#passkeys').isHidden(), true);
    }),
  );
});
