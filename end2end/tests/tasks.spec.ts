import { test, expect, createUser, jsEnabled, type Page } from './fixtures';

/** A member of this project's server, signed in without the login form (its island would wait
 * for the held .wasm in slow-wasm). */
async function signInAsMember(page: Page, baseURL: string, opts: { clientele: string; dataDir: string }, p: string) {
  const email = `tasker-${p}@example.com`;
  createUser(opts, { email, name: 'Tess Tasker', password: 'maple-orbit-lantern', role: 'member' });
  const response = await page.request.post('/api/auth/login', {
    form: { email, password: 'maple-orbit-lantern' },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
  await page.goto('/');
  await expect(page.getByRole('banner')).toContainText('Signed in as Tess Tasker');
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test('a task due yesterday is overdue on the home page and /tasks, until it is marked done', async ({ page, wasm, baseURL, clientele, dataDir }, testInfo) => {
  const p = testInfo.project.name;
  const title = `Chase the invoice ${p}`;
  await signInAsMember(page, baseURL!, { clientele, dataDir }, p);
  await page.getByRole('banner').getByRole('link', { name: 'Tasks' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  const form = page.getByRole('form', { name: 'Add task' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Due date').fill(day(-1));
  // Before the .wasm is in (slow-wasm), the plain form posts at once, and only once.
  await form.getByRole('button', { name: 'Add task' }).click();
  await expect(page.getByRole('status')).toHaveText('Task saved.');
  const row = page.getByRole('row').filter({ hasText: title });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Overdue');
  wasm.release();

  await page.getByRole('banner').getByRole('link', { name: 'Home' }).click();
  const mine = page.getByRole('region', { name: 'My tasks: overdue and due today' });
  await expect(mine.getByRole('row').filter({ hasText: title })).toContainText('Overdue');

  await mine.getByRole('button', { name: `Mark done: ${title}` }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('region', { name: 'My tasks: overdue and due today' }).getByText(title)).toHaveCount(0);
  await page.goto('/tasks?state=done');
  await expect(page.getByRole('row').filter({ hasText: title })).not.toContainText('Overdue');
  await page.getByRole('link', { name: title }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('listitem').first()).toContainText('Done: No → Yes');
  if (jsEnabled(p)) await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
});
