import fs from 'node:fs';
import type { Locator } from '@playwright/test';
import { test, expect, createUser, jsEnabled, type Page } from './fixtures';

/** A member (or viewer) of this project's server, signed in by request (no island to wait for). */
async function signInAs(page: Page, baseURL: string, opts: { clientele: string; dataDir: string }, p: string, role: 'member' | 'viewer' = 'member') {
  const email = `${role === 'member' ? 'importer' : 'onlooker'}-${p}@example.com`;
  createUser(opts, { email, name: role === 'member' ? 'Ivo Importer' : 'Olga Onlooker', password: 'harbour-lamp-quiet', role });
  const response = await page.request.post('/api/auth/login', {
    form: { email, password: 'harbour-lamp-quiet' },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** Waits for the background work to reach `done`, the page reloading itself every 2 s (with or
 * without JavaScript: the `Refresh` header, and a meta refresh after client-side navigation). */
async function settled(page: Page, done: Locator) {
  await expect(done).toBeVisible({ timeout: 20_000 });
}

test('a spreadsheet is uploaded, mapped, checked, imported, exported and undone', async ({ page, wasm, baseURL, clientele, dataDir }, testInfo) => {
  const p = testInfo.project.name.replace(/[^a-z]/g, '');
  await signInAs(page, baseURL!, { clientele, dataDir }, p);
  const csv = [
    'Full Name;E-mail Address;Phone number;Favourite colour',
    `Quinn Imported${p};quinn-${p}@example.com;+44 20 7946 0958;green`,
    `Rory Broken${p};not-an-email;;blue`,
    `Sage Imported${p};sage-${p}@example.com;;red`,
  ].join('\n');

  await page.goto('/contacts');
  await page.getByRole('link', { name: 'Import CSV' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import' })).toBeVisible();
  const upload = page.getByRole('form', { name: 'Upload a CSV file' });
  await upload.getByLabel('CSV file').setInputFiles({ name: `people-${p}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await upload.getByLabel('It holds').selectOption('contact');
  await upload.getByRole('button', { name: 'Upload and map columns' }).click();

  // The columns are mapped from their headings.
  await expect(page.getByRole('heading', { level: 1, name: `Import of people-${p}.csv` })).toBeVisible();
  const mapping = page.getByRole('form', { name: 'Map the columns' });
  await expect(mapping.getByLabel('E-mail Address')).toHaveValue('email');
  await expect(mapping.getByLabel('Full Name')).toHaveValue('name');
  await expect(mapping.getByLabel('Favourite colour')).toHaveValue('');
  await mapping.getByRole('button', { name: 'Check the file' }).click();
  await settled(page, page.getByText('Checked, not imported yet'));

  // The check: what would happen, and the invalid row with its line.
  await expect(page.getByText('Checked, not imported yet')).toBeVisible();
  await expect(page.getByText('3 rows: 2 will be created, 0 updated, 0 skipped, 1 invalid.')).toBeVisible();
  const invalid = page.getByRole('table', { name: 'Invalid rows (not imported)' });
  await expect(invalid.getByRole('row').filter({ hasText: 'Email:' })).toContainText('3');
  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  await settled(page, page.getByText('Imported', { exact: true }));
  await expect(page.getByText('3 rows: 2 were created, 0 updated, 0 skipped, 1 invalid.')).toBeVisible();

  // The view's export holds exactly its rows.
  await page.goto(`/contacts?q=imported${p}`);
  await expect(page.getByRole('link', { name: `Quinn Imported${p}` })).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^contacts-\d{4}-\d{2}-\d{2}\.csv$/);
  const exported = fs.readFileSync(await download.path()).toString('utf8');
  const lines = exported.trim().split(/\r?\n/);
  expect(lines[0]).toContain('First name,Last name,E-mail');
  expect(lines).toHaveLength(3);
  expect(exported).toContain(`quinn-${p}@example.com`);
  expect(exported).toContain("'+44 20 7946 0958");

  // Undone as one unit.
  await page.goto('/import');
  await page.getByRole('link', { name: `people-${p}.csv` }).click();
  await page.getByRole('button', { name: 'Undo this import' }).click();
  await settled(page, page.getByRole('status').filter({ hasText: 'Undone: 2 created contacts moved to the trash' }));
  await page.goto(`/contacts?q=imported${p}`);
  await expect(page.getByText('No contacts match.')).toBeVisible();
  await page.goto('/trash');
  await expect(page.getByText(`Quinn Imported${p}`)).toBeVisible();
  await expect(page.getByText(`Sage Imported${p}`)).toBeVisible();
  wasm.release();
  if (jsEnabled(testInfo.project.name)) await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
});

test('a viewer may export but sees no Import; the sample file starts a spreadsheet', async ({ page, baseURL, clientele, dataDir }, testInfo) => {
  const p = testInfo.project.name.replace(/[^a-z]/g, '');
  // A member saves a contact (a list with no rows has nothing to export), then a viewer signs in.
  await signInAs(page, baseURL!, { clientele, dataDir }, `${p}-writer`);
  const saved = await page.request.post('/api/contacts/save', {
    form: { id: '', version: '0', first_name: 'Vera', last_name: `Visible${p}`, email: '', phone: '', job_title: '', company: '', city: '', status: 'lead', tags: '', notes: '', owner: '' },
    headers: { origin: baseURL!, accept: 'application/json' },
  });
  expect(saved.ok(), await saved.text()).toBeTruthy();
  await signInAs(page, baseURL!, { clientele, dataDir }, p, 'viewer');
  await page.goto(`/contacts?q=visible${p}`);
  await expect(page.getByRole('link', { name: 'Export CSV' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Import CSV' })).toHaveCount(0);
  await page.goto('/import');
  await expect(page.getByRole('form', { name: 'Upload a CSV file' })).toHaveCount(0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'contacts', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('clientele-contacts-sample.csv');
  const sample = fs.readFileSync(await download.path()).toString('utf8');
  expect(sample.split(/\r?\n/)[0]).toBe('\ufeffFirst name,Last name,E-mail,Phone,Job title,Company,Company domain,City,Status,Tags,Owner,Notes');
  expect(sample).toContain('ada@example.com');
});
