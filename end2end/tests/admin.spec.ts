import { test, expect, ADMIN, createUser, signIn } from './fixtures';

// Administration journeys, with JavaScript and without it.
test.skip(({ holdWasm }) => holdWasm, 'covered by the js and nojs projects');

test('an invitation link lets a new member join', async ({ page, browser }, testInfo) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${ADMIN.name}`);
  await page.getByRole('banner').getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

  const invite = page.getByRole('form', { name: 'Invite someone' });
  await invite.getByLabel('Role').selectOption('member');
  await invite.getByRole('button', { name: 'Create invitation link' }).click();
  const link = page.getByRole('link', { name: /\/register\?invite=/ });
  await expect(link).toBeVisible();
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^\/register\?invite=[\w-]{40,}$/);

  // Someone else, in their own browser, follows the link.
  const newcomer = await browser.newContext(testInfo.project.use);
  const their = await newcomer.newPage();
  const email = `newbie-${testInfo.project.name}@example.com`;
  await their.goto(href!);
  await expect(their.getByText('You have been invited to join as member.')).toBeVisible();
  await their.getByLabel('Name').fill('Nina Newbie');
  await their.getByLabel('Email').fill(email);
  await their.getByLabel('Password').fill('amber-lighthouse-drift');
  await their.getByRole('button', { name: 'Create account' }).click();
  await expect(their).toHaveURL('/');
  await expect(their.getByRole('banner')).toContainText('Signed in as Nina Newbie');
  await expect(their.getByRole('banner').getByRole('link', { name: 'Users' })).toHaveCount(0);
  await newcomer.close();

  await page.reload();
  await expect(page.getByRole('cell', { name: email })).toBeVisible();
});

test('a viewer cannot reach administration, and a forged POST is refused', async ({ page, consoleLog, clientele, dataDir, baseURL }, testInfo) => {
  consoleLog.allow(/status of 403/);
  const email = `viewer-${testInfo.project.name}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Val Viewer', password: 'granite-orchid-sonnet', role: 'viewer' });
  await signIn(page, email, 'granite-orchid-sonnet');
  await expect(page.getByRole('banner')).toContainText('Signed in as Val Viewer');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Users' })).toHaveCount(0);

  const response = await page.goto('/admin/users');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1, name: 'Not allowed' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create invitation link' })).toHaveCount(0);

  // The same request the admin's form would send, with the viewer's cookies.
  const forged = await page.request.post('/api/admin/invitations', {
    form: { role: 'admin' },
    headers: { origin: baseURL! },
  });
  expect(forged.status()).toBe(403);
});
