import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Page } from 'playwright-core';
import { OffsetClock } from '../src/clock/clock';
import { appPerSuite } from './support/app';
import { BROWSER_SKIP, browserPerSuite, pageErrors } from './support/browser';
import { eachEngine } from './support/engines';
import { client, uniqueLogin } from './support/http';
import { STEP_MS, totp } from './support/two-factor';

/**
 * The account page with two-factor sign-in (CONTRACT sections 16 and 18), in Chromium: set it up
 * from the QR code's secret, turn it on and see the backup codes, sign out, sign in with a code
 * the test computes, and turn it off again, under the page's CSP.
 */
eachEngine(__filename, (db) => {
  const clock = new OffsetClock();
  const running = appPerSuite(db, {}, [], { clock });
  const api = client(() => running().url);
  const browser = browserPerSuite();
  const notice = (page: Page) => page.getByRole('status');
  /** The code of the app's current step, then a step on: each code is taken once. */
  const nextCode = (secret: string) => {
    const code = totp(secret, clock.now());
    clock.advance(STEP_MS);
    return code;
  };

  it('enrols, signs out, signs in with a code, and turns two-factor off', { skip: BROWSER_SKIP }, async () => {
    const { login, password } = await api.account(uniqueLogin('PageTfa'));
    const page = await (await browser.context()).newPage();
    const errors = pageErrors(page);
    await page.goto(`${running().url}/account`);
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
    await page.locator('#two-factor-state', { hasText: /^Off/ }).waitFor();

    const setup = page.locator('#two-factor-setup');
    await setup.getByLabel('Your password').fill(password);
    await setup.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const shown = page.locator('#two-factor-secret', { hasText: /^[A-Z2-7]{32}$/ });
    await shown.waitFor();
    const secret = (await shown.textContent())!;
    const qr = page.locator('#two-factor-qr');
    assert.equal(
      await qr.getAttribute('data-uri'),
      `otpauth://totp/Gatehouse:${encodeURIComponent(login)}?secret=${secret}&issuer=Gatehouse`,
    );
    // The canvas's dark pixels (the page has DOM types; this file does not).
    const darkPixels = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('two-factor-qr');
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0) dark++;
      return dark;
    })()`);
    assert.ok(darkPixels > 1000, `the QR code is drawn (${darkPixels} dark pixels)`);

    await page.getByLabel('Code from the app').fill(nextCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await notice(page).filter({ hasText: 'Two-factor sign-in is on.' }).waitFor();
    const backupCodes = await page.locator('#backup-codes li').allTextContents();
    assert.equal(backupCodes.length, 10);
    await page.locator('#two-factor-state', { hasText: /^On/ }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await notice(page).filter({ hasText: 'You are signed out.' }).waitFor();
    await page.getByLabel('Handle').fill(login);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const code = page.locator('#second-factor').getByLabel('Authenticator or backup code');
    await code.waitFor();
    await code.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await notice(page).filter({ hasText: 'That code is wrong or already used' }).waitFor();
    await code.fill(nextCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: `Signed in as ${login}` }).waitFor();
    await page.locator('#socket-state', { hasText: /^connected$/ }).waitFor({ timeout: 5000 });
    const token = (await page.evaluate<string | null>("sessionStorage.getItem('gatehouse.token')"))!;
    const sessions = (await api.get('/api/auth/sessions', { Authentication: token })).body.sessions;
    assert.equal(sessions.find((s: { current: boolean }) => s.current).method, 'password+totp');

    const disable = page.locator('#two-factor-disable');
    await disable.getByLabel('Your password').fill(password);
    await disable.getByLabel('Authenticator or backup code').fill(backupCodes[0]);
    await disable.getByRole('button', { name: 'Turn off two-factor sign-in' }).click();
    await notice(page).filter({ hasText: 'Two-factor sign-in is off.' }).waitFor();
    await page.locator('#two-factor-state', { hasText: /^Off/ }).waitFor();
    assert.equal((await api.get('/api/auth/me', { Authentication: token })).body.twoFactor, false);
    assert.deepEqual(
      errors.filter((e) => !e.startsWith('Failed to load resource')),
      [],
    );
  });
});
