import { test, expect, ADMIN, CONTACT_FIELDS, apiContact, createUser, signIn, jsEnabled, type Page } from './fixtures';

// Customer records, with JavaScript and without it.
test.skip(({ holdWasm }) => holdWasm, 'covered by the js and nojs projects');

async function signInAsAdmin(page: Page): Promise<void> {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole('banner')).toContainText(`Signed in as ${ADMIN.name}`);
}

/** Searches the contacts list the way a person would: type, then press Enter. */
async function search(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Search');
  await box.fill(text);
  await box.press('Enter');
  await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(text);
}

function rows(page: Page) {
  return page.getByRole('table', { name: 'Contacts' }).getByRole('row');
}

test('create a company, add two contacts, find them by e-mail fragment and phone, edit one', async ({ page }, testInfo) => {
  const p = testInfo.project.name;
  await signInAsAdmin(page);
  await page.getByRole('banner').getByRole('link', { name: 'Companies' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Companies' })).toBeVisible();
  await page.getByRole('link', { name: 'New company' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill(`Globex ${p}`);
  await page.getByLabel('Domain').fill(`globex-${p}.example`);
  await page.getByLabel('Industry').fill('Energy');
  await page.getByLabel('Size').fill('1,200');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Company saved.');
  await expect(page.getByRole('heading', { level: 1, name: `Globex ${p}` })).toBeVisible();
  await expect(page.getByText('1,200 employees')).toBeVisible();

  // Phone numbers of each project's own (the projects share one database behind a load balancer).
  const d = ['js', 'nojs', 'slow-wasm'].indexOf(p) + 1;
  const people = [
    { first: 'Hank', last: 'Scorpio', email: `hank.scorpio@globex-${p}.example`, phone: `+1 (555) 01${d}-4477` },
    { first: 'Frank', last: 'Grimes', email: `frank.grimes@globex-${p}.example`, phone: `555 01${d} 9999` },
  ];
  for (const person of people) {
    await page.getByRole('link', { name: 'Add contact' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'New contact' })).toBeVisible();
    await expect(page.getByLabel('Company')).toHaveValue(`globex-${p}.example`);
    await page.getByLabel('First name').fill(person.first);
    await page.getByLabel('Last name').fill(person.last);
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Phone').fill(person.phone);
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('status')).toHaveText('Contact saved.');
    await expect(page.getByRole('heading', { level: 1, name: `${person.first} ${person.last}` })).toBeVisible();
    await page.getByRole('link', { name: `Globex ${p}` }).click();
  }
  const theirContacts = page.getByRole('table', { name: 'Contacts at this company' });
  await expect(theirContacts.getByRole('link', { name: 'Hank Scorpio' })).toBeVisible();
  await expect(theirContacts.getByRole('link', { name: 'Frank Grimes' })).toBeVisible();

  await page.getByRole('banner').getByRole('link', { name: 'Contacts' }).click();
  await search(page, `scorpio@globex-${p}`);
  await expect(rows(page)).toHaveCount(2); // heading row + Hank
  await expect(rows(page).nth(1)).toContainText('Hank Scorpio');
  await expect(page.getByText(/^1 contact\b/)).toBeVisible();
  // The same phone typed another way, without the country code.
  await search(page, `555.01${d}.4477`);
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).nth(1)).toContainText('Hank Scorpio');
  await search(page, `+1 555 01${d} 9999`);
  await expect(rows(page).nth(1)).toContainText('Frank Grimes');

  // Edit: the form starts with the contact's values; saving shows them.
  await rows(page).nth(1).getByRole('link', { name: 'Frank Grimes' }).click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('Email')).toHaveValue(`frank.grimes@globex-${p}.example`);
  await page.getByLabel('Job title').fill('Safety inspector');
  await page.getByLabel('Status').selectOption('customer');
  await page.getByLabel('Tags').fill('nuclear, vip');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Contact saved.');
  await expect(page.locator('dl.details')).toContainText('Safety inspector');
  await expect(page.locator('dl.details')).toContainText('nuclear, vip');
});

test('a bad form keeps what was typed and explains each field', async ({ page, consoleLog }, testInfo) => {
  consoleLog.allow(/status of 422/);
  await signInAsAdmin(page);
  await page.goto('/contacts/new');
  await page.getByLabel('City').fill('Springfield');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Notes').fill('Met at </textarea><b>the fair</b>');
  // Without JavaScript the browser's own check would stop an invalid e-mail field: skip it.
  await page.locator('form.record-form').evaluate((f) => f.setAttribute('novalidate', ''));
  const [response] = await Promise.all([
    jsEnabled(testInfo.project.name)
      ? Promise.resolve(null)
      : page.waitForResponse((r) => new URL(r.url()).pathname === '/contacts/new' && r.request().method() === 'GET'),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  if (response) expect(response.status()).toBe(422);
  // Nothing typed, nor the error, travels in the address.
  expect(new URL(page.url()).search).toBe('');
  await expect(page.getByText('Enter a first name or a last name.')).toBeVisible();
  await expect(page.getByText('Enter a valid email address, like name@example.com.')).toBeVisible();
  await expect(page.getByLabel('City')).toHaveValue('Springfield');
  await expect(page.getByLabel('Notes')).toHaveValue('Met at </textarea><b>the fair</b>');
  await expect(page.getByLabel('First name')).toHaveAttribute('aria-invalid', 'true');
});

test('sort, filter and page through contacts; the URL is the state', async ({ page, baseURL }, testInfo) => {
  const p = testInfo.project.name;
  await signInAsAdmin(page);
  for (let i = 0; i < 30; i++) {
    await apiContact(page, baseURL!, {
      first_name: `Pat${String(i).padStart(2, '0')}`,
      last_name: `Pager${p}`,
      city: `Town ${String.fromCharCode(90 - (i % 26))}${i}`,
      status: i % 3 === 0 ? 'customer' : 'lead',
      tags: i % 10 === 0 ? 'gold' : '',
    });
  }
  await page.goto(`/contacts?q=pager${p}&sort=name`);
  await expect(page.getByText(/^30 contacts/)).toBeVisible();
  await expect(rows(page)).toHaveCount(26);
  await expect(rows(page).nth(1)).toContainText(`Pat00 Pager${p}`);
  await page.getByRole('link', { name: 'Next' }).click();
  await expect(rows(page)).toHaveCount(6);
  await expect(rows(page).nth(1)).toContainText(`Pat25 Pager${p}`);
  await page.getByRole('link', { name: 'Previous' }).click();
  await expect(rows(page)).toHaveCount(26);
  await expect(rows(page).nth(1)).toContainText(`Pat00 Pager${p}`);

  // Sorting by a column, then the other way.
  await page.getByRole('link', { name: 'City' }).click();
  await expect(page).toHaveURL(/sort=city/);
  await expect(rows(page).nth(1)).toContainText('Town A25');
  await expect(page.getByRole('columnheader', { name: /City/ })).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('link', { name: 'City' }).click();
  await expect(page).toHaveURL(/dir=desc/);
  await expect(rows(page).nth(1)).toContainText('Town Z26');

  // Filters, combined with the search; the link can be shared.
  await page.getByLabel('Status').selectOption('customer');
  await page.getByLabel('Tag').fill('gold');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=customer/);
  await expect(page.getByText(/^1 contact\b/)).toBeVisible();
  await expect(rows(page).nth(1)).toContainText(`Pat00 Pager${p}`);
  const shared = page.url();
  const other = await page.context().newPage();
  await other.goto(shared);
  await expect(other.getByText(/^1 contact\b/)).toBeVisible();
  await other.close();

  await page.getByLabel('Per page').selectOption('50');
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Tag').fill('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows(page)).toHaveCount(31);
  await expect(page.getByRole('link', { name: 'Next' })).toHaveCount(0);
});

test('typing in the search box updates the list without a page load', async ({ page, baseURL }, testInfo) => {
  test.skip(!jsEnabled(testInfo.project.name), 'needs JavaScript');
  await signInAsAdmin(page);
  await apiContact(page, baseURL!, { first_name: 'Quincy', last_name: 'Typeahead' });
  await page.goto('/contacts');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  // The count is a live region: screen readers announce it only if it stays the same element.
  const count = page.locator('p.count[aria-live="polite"]');
  await count.evaluate((el) => el.setAttribute('data-same', 'yes'));
  const before = await count.textContent();
  await page.getByLabel('Search').pressSequentially('typeah', { delay: 30 });
  await expect(page).toHaveURL(/q=typeah/);
  await expect(rows(page).nth(1)).toContainText('Quincy Typeahead');
  await expect(count).toHaveAttribute('data-same', 'yes');
  await expect(count).not.toHaveText(before!);
  await expect(page.getByLabel('Search')).toBeFocused();
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
});

test('a search the list cannot answer in place is shown as a page load', async ({ page, baseURL, consoleLog }, testInfo) => {
  test.skip(!jsEnabled(testInfo.project.name), 'needs JavaScript');
  consoleLog.allow(/status of 503/);
  await signInAsAdmin(page);
  await apiContact(page, baseURL!, { first_name: 'Ursula', last_name: 'Unswapped' });
  await page.goto('/contacts');
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  // The search box's own fetch of the list fails (say the server was busy); loading the page
  // itself works.
  await page.route('**/contacts?*', (route) =>
    route.request().resourceType() === 'fetch'
      ? route.fulfill({ status: 503, contentType: 'text/plain', body: 'busy' })
      : route.continue(),
  );
  await page.getByLabel('Search').pressSequentially('unswapped', { delay: 30 });
  await expect(page).toHaveURL(/q=unswapped/);
  await expect(rows(page).nth(1)).toContainText('Ursula Unswapped');
  // The answer was shown by loading the page, not left unshown under the old results.
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBeUndefined();
});

test('a stale edit from a second browser is refused with the conflict message', async ({ page, browser, baseURL, consoleLog }, testInfo) => {
  consoleLog.allow(/status of 409/);
  const p = testInfo.project.name;
  await signInAsAdmin(page);
  await apiContact(page, baseURL!, { first_name: 'Stella', last_name: `Stale${p}`, city: 'Oslo' });
  await page.goto(`/contacts?q=stale${p}`);
  await rows(page).nth(1).getByRole('link').first().click();
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('City')).toHaveValue('Oslo');

  const second = await browser.newContext(testInfo.project.use);
  const other = await second.newPage();
  await signInAsAdmin(other);
  await other.goto(page.url());
  await other.getByLabel('City').fill('Bergen');
  await other.getByRole('button', { name: 'Save' }).click();
  await expect(other.getByRole('status')).toHaveText('Contact saved.');
  await second.close();

  await page.getByLabel('City').fill('Tromsø');
  await page.getByRole('button', { name: 'Save' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'This record was changed by' });
  await expect(alert).toContainText(`This record was changed by ${ADMIN.name} at`);
  const row = alert.getByRole('row', { name: /City/ });
  await expect(row).toContainText('Bergen');
  await expect(row).toContainText('Tromsø');
  await expect(page.getByLabel('City')).toHaveValue('Tromsø');
  // Nothing was overwritten…
  const check = await page.request.post('/api/contacts/list', { form: { 'query[q]': `stale${p}` }, headers: { origin: baseURL! } });
  expect(JSON.stringify(await check.json())).toContain('"city":"Bergen"');
  // …and saving again, knowingly, keeps this user's value.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toHaveText('Contact saved.');
  await expect(page.locator('dl.details')).toContainText('Tromsø');
  // The history has both saves, this one first, with the city's old and new value.
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('listitem').first()).toContainText('City: Bergen → Tromsø');
  await expect(history.getByRole('listitem').first()).toContainText(`by ${ADMIN.name}`);
});

test('delete, then Undo; delete, then restore from the trash', async ({ page, baseURL }, testInfo) => {
  const p = testInfo.project.name;
  await signInAsAdmin(page);
  await apiContact(page, baseURL!, { first_name: 'Dora', last_name: `Deleted${p}` });
  const name = `Dora Deleted${p}`;

  await page.goto(`/contacts?q=deleted${p}`);
  await rows(page).nth(1).getByRole('link', { name }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Delete ${name}?` })).toBeVisible();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('Contact moved to the trash.');
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByRole('status')).toHaveText('Contact restored from the trash.');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();

  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status')).toContainText('Contact moved to the trash.');
  await search(page, `deleted${p}`);
  await expect(page.getByText('No contacts match.')).toBeVisible();
  await page.getByRole('banner').getByRole('link', { name: 'Trash' }).click();
  await page.getByRole('button', { name: `Restore ${name}` }).click();
  await expect(page.getByRole('status')).toHaveText('Contact restored from the trash.');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
});

test('a viewer sees no edit controls, and a forged POST is refused', async ({ page, consoleLog, clientele, dataDir, baseURL }, testInfo) => {
  consoleLog.allow(/status of 403/);
  const p = testInfo.project.name;
  await signInAsAdmin(page);
  await apiContact(page, baseURL!, { first_name: 'Vera', last_name: `Readonly${p}` });
  await page.context().clearCookies();

  const email = `reader-${p}@example.com`;
  createUser({ clientele, dataDir }, { email, name: 'Rita Reader', password: 'willow-quartz-harbor', role: 'viewer' });
  await signIn(page, email, 'willow-quartz-harbor');
  await expect(page.getByRole('banner')).toContainText('Signed in as Rita Reader');
  await page.goto(`/contacts?q=readonly${p}`);
  await expect(rows(page).nth(1)).toContainText(`Vera Readonly${p}`);
  await expect(page.getByRole('link', { name: 'New contact' })).toHaveCount(0);
  await rows(page).nth(1).getByRole('link', { name: `Vera Readonly${p}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Vera Readonly${p}` })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete' })).toHaveCount(0);
  // The timeline, tasks and history are there to read, without their forms.
  await expect(page.getByRole('region', { name: 'Timeline' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'History' })).toContainText('Created');
  await expect(page.getByRole('form', { name: 'Log activity' })).toHaveCount(0);
  await expect(page.getByRole('form', { name: 'Add task' })).toHaveCount(0);
  const edit = await page.goto(page.url() + '/edit');
  expect(edit?.status()).toBe(403);
  await expect(page.getByLabel('First name')).toHaveCount(0);

  const form: Record<string, string> = {};
  for (const name of CONTACT_FIELDS) form[name] = '';
  form.first_name = 'Mallory';
  const forged = await page.request.post('/api/contacts/save', { form, headers: { origin: baseURL! } });
  expect(forged.status()).toBe(403);
});
