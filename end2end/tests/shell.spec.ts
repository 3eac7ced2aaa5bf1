import { test, expect, hydrated, signInByRequest } from './fixtures';

// The app shell in every project: with JavaScript, without it, and before the WASM has arrived.

test('the home page is readable as soon as the HTML arrives', async ({ page, wasm, baseURL, clientele, dataDir }, testInfo) => {
  await signInByRequest(page, baseURL!, { clientele, dataDir });
  await page.goto('/', { waitUntil: 'domcontentloaded' });
  await expect(page).toHaveTitle('Home · Clientele');
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Clientele' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' })).toBeVisible();
  // The workspace facts were read from the database while rendering on the server.
  const workspace = page.getByRole('region', { name: 'Workspace' });
  await expect(workspace.getByText(/Ready \(schema version \d+\)/)).toBeVisible();
  await expect(workspace.getByRole('button', { name: 'Refresh status' })).toBeVisible();

  if (testInfo.project.name === 'nojs') {
    await page.waitForLoadState('load');
    await expect(page.locator('html')).not.toHaveAttribute('data-hydrated');
  } else if (wasm.held) {
    await wasm.requested;
    await expect(page.locator('html')).not.toHaveAttribute('data-hydrated');
    wasm.release();
    await hydrated(page);
  } else {
    await hydrated(page);
  }
});

test('anonymous visitors learn nothing about the workspace', async ({ page, request, wasm }) => {
  await page.goto('/', { waitUntil: 'domcontentloaded' });
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Clientele' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();
  await expect(page.getByText(/schema version/)).toHaveCount(0);
  wasm.release();
  const summary = await request.post('/api/workspace/summary', { headers: { accept: 'application/json' } });
  expect(summary.status()).toBe(401);
});

test('an unknown address shows the not-found page with status 404', async ({ page, wasm, consoleLog }) => {
  consoleLog.allow(/status of 404/);
  const response = await page.goto('/no/such/page', { waitUntil: 'domcontentloaded' });
  expect(response?.status()).toBe(404);
  await expect(page).toHaveTitle('Page not found · Clientele');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  wasm.release();
  await page.getByRole('link', { name: 'Back to the home page' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Clientele' })).toBeVisible();
});

test('health and readiness probes answer in plain text', async ({ request }) => {
  const health = await request.get('/healthz');
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe('ok\n');
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  expect(await ready.text()).toBe('ready\n');
});
