import { test, expect, createUser, hydrated, jsEnabled, signIn } from './fixtures';

// A signed-in user's own settings and sessions, with JavaScript and without it.
test.skip(({ holdWasm }) => holdWasm, 'covered by the js and nojs projects');

const PASSWORD = 'violet-canyon-breeze';

test('pages behind sign-in send visitors to the login page and back', async ({ page, clientele, dataDir }, testInfo) => {
  const email = `back-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Bea Back', password: PASSWORD, role: 'member' });
  await page.goto('/settings/sessions');
  await expect(page).toHaveURL('/login?next=%2Fsettings%2Fsessions');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/settings/sessions');
  await expect(page.getByRole('heading', { level: 1, name: 'Active sessions' })).toBeVisible();
});

test('change name and e-mail; the current password is required', async ({ page, consoleLog, clientele, dataDir }, testInfo) => {
  consoleLog.allow(/status of 422/);
  const email = `sam-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Sam Settings', password: PASSWORD, role: 'member' });
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Signed in as Sam Settings');
  await page.getByRole('banner').getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();

  const profile = page.getByRole('form', { name: 'Profile' });
  await profile.getByLabel('Name').fill('Samantha Settings');
  await profile.getByLabel('Current password').fill('not my password');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(profile.getByRole('alert')).toHaveText('The current password is not correct.');
  await expect(profile.getByLabel('Name')).toHaveValue('Samantha Settings');

  await profile.getByLabel('Current password').fill(PASSWORD);
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status')).toHaveText('Profile saved.');
  await expect(page.getByRole('banner')).toContainText('Signed in as Samantha Settings');
});

test('ending another session signs that browser out', async ({ page, browser, clientele, dataDir }, testInfo) => {
  const email = `two-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Tom Two', password: PASSWORD, role: 'viewer' });
  // A second browser (its own cookies), signed in as the same person.
  const other = await browser.newContext(testInfo.project.use);
  const otherPage = await other.newPage();
  await signIn(otherPage, email, PASSWORD);
  await expect(otherPage.getByRole('banner')).toContainText('Signed in as Tom Two');

  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Signed in as Tom Two');
  await page.goto('/settings/sessions');
  await expect(page.getByRole('cell', { name: 'This browser' })).toBeVisible();
  await page.getByRole('button', { name: 'End session' }).click();
  await expect(page.getByRole('status')).toHaveText('The session was signed out.');
  await expect(page.getByRole('button', { name: 'End session' })).toHaveCount(0);

  await otherPage.goto('/settings');
  await expect(otherPage).toHaveURL('/login?next=%2Fsettings');
  await expect(otherPage.getByRole('banner')).not.toContainText('Signed in as');
  await other.close();
});

test('"Show password" shows what is typed in a form outside the islands, and hides it again', async ({ page, clientele, dataDir }, testInfo) => {
  const email = `peek-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Pia Peek', password: PASSWORD, role: 'member' });
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Signed in as Pia Peek');
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'Password' });
  const current = form.getByLabel('Current password');
  const show = form.getByRole('button', { name: 'Show password' }).first();
  if (!jsEnabled(testInfo.project.name)) {
    // The toggle needs JavaScript; without it there is no dead button.
    await expect(show).toBeHidden();
    return;
  }
  await hydrated(page);
  await current.fill('typed secret');
  await show.click();
  await expect(current).toHaveAttribute('type', 'text');
  await expect(show).toHaveAttribute('aria-pressed', 'true');
  await expect(form.getByLabel('New password')).toHaveAttribute('type', 'password');
  await show.click();
  await expect(current).toHaveAttribute('type', 'password');
  await expect(show).toHaveAttribute('aria-pressed', 'false');
  await expect(current).toHaveValue('typed secret');
});
