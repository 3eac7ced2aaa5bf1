import { test, expect, ADMIN, createUser, signIn } from './fixtures';

// Sign-in journeys, with JavaScript and without it.
test.skip(({ holdWasm }) => holdWasm, 'covered by the js and nojs projects');

test('sign in, then sign out', async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL('/');
  const banner = page.getByRole('banner');
  await expect(banner).toContainText(`Signed in as ${ADMIN.name}`);

  await banner.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL('/login');
  await expect(banner.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(banner).not.toContainText('Signed in as');
});

test('a wrong password gets the same message as an unknown account', async ({ page, consoleLog }) => {
  consoleLog.allow(/status of 401/);
  for (const email of [ADMIN.email, 'nobody@example.com']) {
    await signIn(page, email, 'not-the-right-one');
    await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
    await expect(page.getByRole('banner')).not.toContainText('Signed in as');
  }
});

test('signing in never leads off-site', async ({ page }) => {
  await page.goto('/login?next=' + encodeURIComponent('//evil.example/phish'));
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${ADMIN.name}`);
});

test('ten failed sign-ins lock the account for a while', async ({ page, consoleLog, clientele, dataDir }, testInfo) => {
  consoleLog.allow(/status of 40[19]|status of 429/);
  const email = `locked-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Lou Locked', password: 'silver-harbour-lantern', role: 'member' });
  for (let i = 0; i < 10; i++) {
    await signIn(page, email, `wrong-guess-${i}`);
    await expect(page.getByRole('alert')).toHaveText('Invalid email or password.');
  }
  // Even the right password now waits, and the answer says for how long (HTTP 429).
  const answered = page.waitForResponse((r) => r.status() === 429);
  await signIn(page, email, 'silver-harbour-lantern');
  await answered;
  await expect(page.getByRole('alert')).toHaveText('Too many attempts — try again in 15 minutes.');
  await expect(page.getByRole('banner')).not.toContainText('Signed in as');
});
