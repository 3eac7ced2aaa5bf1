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

test('an access token is shown once, lists and creates contacts over the API, and stops working when revoked', async ({ page, playwright, clientele, dataDir, baseURL }, testInfo) => {
  const email = `tia-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Tia Token', password: PASSWORD, role: 'member' });
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('banner')).toContainText('Signed in as Tia Token');
  await page.goto('/settings');
  await page.getByRole('link', { name: 'Access tokens' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Access tokens' })).toBeVisible();
  await expect(page.getByText('You have no tokens yet.')).toBeVisible();

  const form = page.getByRole('form', { name: 'New token' });
  await form.getByLabel('Name').fill('Invoicing sync');
  await form.getByLabel('Access').selectOption('write');
  await form.getByLabel('Expires').selectOption('30');
  await form.getByRole('button', { name: 'Create token' }).click();
  const shown = page.getByRole('status').locator('code.token-value');
  await expect(shown).toHaveText(/^clt_/);
  const token = (await shown.textContent()) ?? '';
  const tokens = page.getByRole('table', { name: 'Your tokens' });
  await expect(tokens.getByRole('row', { name: /Invoicing sync/ })).toContainText('Read and write');

  // Another program, with the token and no cookies.
  const api = await playwright.request.newContext({
    baseURL,
    ignoreHTTPSErrors: true,
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  const created = await api.post('/api/v1/contacts', {
    data: { first_name: 'Api', last_name: `Made ${testInfo.project.name}`, email: `api-${testInfo.project.name}@example.com` },
  });
  expect(created.status()).toBe(201);
  const listed = await api.get(`/api/v1/contacts?q=${encodeURIComponent(`api-${testInfo.project.name}`)}`);
  expect((await listed.json()).items.map((c: { name: string }) => c.name)).toEqual([`Api Made ${testInfo.project.name}`]);

  // Shown once: not after reloading.
  await page.reload();
  await expect(page.locator('code.token-value')).toHaveCount(0);
  await expect(tokens.getByRole('row', { name: /Invoicing sync/ })).not.toContainText(token);

  await tokens.getByRole('button', { name: 'Revoke the token Invoicing sync' }).click();
  await expect(page.getByRole('status')).toHaveText('The token was revoked: it no longer works.');
  const refused = await api.get('/api/v1/contacts');
  expect(refused.status()).toBe(401);
  expect((await refused.json()).title).toBe('Not authenticated');
  await api.dispose();
});
