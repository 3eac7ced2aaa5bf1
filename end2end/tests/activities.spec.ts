import { test, expect, apiCompany, apiContact, createUser, type Page } from './fixtures';

// Activities with JavaScript, without it, and before the .wasm has loaded (slow-wasm): every
// form here is a plain form, which works the same in all three.

const LOGGER = { name: 'Lou Logger', password: 'cedar-harbour-window' };

/** A member of this project's server, signed in without the login form (its island would wait
 * for the held .wasm in slow-wasm). */
async function signInAsMember(page: Page, baseURL: string, opts: { clientele: string; dataDir: string }, p: string, who: string) {
  const email = `${who}-${p}@example.com`;
  createUser(opts, { email, name: LOGGER.name, password: LOGGER.password, role: 'member' });
  const response = await page.request.post('/api/auth/login', {
    form: { email, password: LOGGER.password },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
  await page.goto('/');
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${LOGGER.name}`);
}

test('log a call on a contact, see it on the contact and its company, edit it, delete it and undo', async ({ page, baseURL, clientele, dataDir }, testInfo) => {
  const p = testInfo.project.name;
  await signInAsMember(page, baseURL!, { clientele, dataDir }, p, 'logger');
  await apiCompany(page, baseURL!, { name: `Initech ${p}`, domain: `initech-${p}.example` });
  await apiContact(page, baseURL!, { first_name: 'Peter', last_name: `Gibbons${p}`, company: `initech-${p}.example` });
  await page.goto(`/contacts?q=gibbons${p}`);
  await page.getByRole('link', { name: `Peter Gibbons${p}` }).click();

  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByText('No activities yet.')).toBeVisible();
  const form = page.getByRole('form', { name: 'Log activity' });
  await form.getByLabel('Kind').selectOption('call');
  await form.getByLabel('Subject').fill('Asked about the TPS reports');
  await form.getByLabel('Details').fill('Has the memo.\nCall back Monday.');
  await form.getByRole('button', { name: 'Log activity' }).click();

  await expect(timeline.getByRole('status')).toHaveText('Activity saved.');
  const entry = timeline.getByRole('listitem').filter({ hasText: 'Asked about the TPS reports' });
  await expect(entry).toContainText('Call');
  await expect(entry).toContainText(`${LOGGER.name} · just now`);
  await expect(entry.locator('.notes')).toHaveText('Has the memo.\nCall back Monday.');
  await expect(entry.locator('time')).toHaveAttribute('title', /UTC$/);

  // The company's timeline has it too, naming the contact.
  await page.getByRole('link', { name: `Initech ${p}` }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: `Initech ${p}` })).toBeVisible();
  const onCompany = page.getByRole('region', { name: 'Timeline' }).getByRole('listitem').filter({ hasText: 'Asked about the TPS reports' });
  await expect(onCompany).toContainText(`Peter Gibbons${p}`);

  // Edit it from the timeline; its page keeps the history.
  await onCompany.getByRole('link', { name: 'Edit Asked about the TPS reports' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Edit Asked about the TPS reports' })).toBeVisible();
  await page.getByLabel('Subject').fill('Asked about the TPS cover sheets');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Activity saved.');
  await expect(page.getByRole('heading', { level: 1, name: `Peter Gibbons${p}` })).toBeVisible();
  await page.getByRole('link', { name: 'Asked about the TPS cover sheets', exact: true }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('listitem').first()).toContainText('Subject: Asked about the TPS reports → Asked about the TPS cover sheets');

  // Delete it: back on the contact, with Undo.
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Delete Asked about the TPS cover sheets?' })).toBeVisible();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Peter Gibbons${p}` })).toBeVisible();
  const after = page.getByRole('region', { name: 'Timeline' });
  await expect(after.getByRole('status')).toContainText('Activity moved to the trash.');
  await expect(after.getByText('No activities yet.')).toBeVisible();
  await after.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status')).toHaveText('Activity restored from the trash.');
  await expect(page.getByRole('heading', { level: 1, name: 'Asked about the TPS cover sheets' })).toBeVisible();
});

test('a wrong activity keeps what was typed and says what to fix', async ({ page, consoleLog, baseURL, clientele, dataDir }, testInfo) => {
  consoleLog.allow(/status of 422/);
  const p = testInfo.project.name;
  await signInAsMember(page, baseURL!, { clientele, dataDir }, p, 'wrong');
  await apiContact(page, baseURL!, { first_name: 'Milton', last_name: `Waddams${p}` });
  await page.goto(`/contacts?q=waddams${p}`);
  await page.getByRole('link', { name: `Milton Waddams${p}` }).click();
  const form = page.getByRole('form', { name: 'Log activity' });
  await form.getByLabel('Subject').fill('Stapler '.repeat(30));
  await form.getByLabel('Details').fill('About the stapler.');
  await form.getByRole('button', { name: 'Log activity' }).click();
  await expect(page.getByText('Use at most 200 characters.')).toBeVisible();
  await expect(page.getByRole('form', { name: 'Log activity' }).getByLabel('Details')).toHaveValue('About the stapler.');
  await expect(page.getByRole('region', { name: 'Timeline' }).getByText('No activities yet.')).toBeVisible();
});
