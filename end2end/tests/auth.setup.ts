import { test, expect, ADMIN } from './fixtures';

// Runs first in each project, against that project's fresh server.
test('register the first administrator', async ({ page, consoleLog, holdWasm }) => {
  test.skip(holdWasm, 'the slow-wasm project needs no accounts');
  consoleLog.allow(/status of 422/);
  // Behind a proxy (the cluster test) the first account needs the setup link the server printed.
  const token = process.env.CLIENTELE_SETUP_TOKEN;
  await page.goto(token ? `/register?setup=${encodeURIComponent(token)}` : '/register');
  await expect(page.getByRole('heading', { level: 1, name: 'Create account' })).toBeVisible();
  await expect(page.getByText('No account exists yet')).toBeVisible();

  // A common password is refused; what was typed (but the password) is kept.
  await page.getByLabel('Name').fill(ADMIN.name);
  await page.getByLabel('Email').fill(ADMIN.email);
  await page.getByLabel('Password').fill('password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'This password is too common' })).toBeVisible();
  await expect(page.getByLabel('Name')).toHaveValue(ADMIN.name);
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN.email);
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${ADMIN.name}`);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Users' })).toBeVisible();
});
