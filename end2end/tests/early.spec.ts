import { test, expect, hydrated, createUser, type Page } from './fixtures';

// Early interactions (src/early.js): what the user does before the WASM has hydrated the page
// takes effect after it, exactly once. The .wasm is held until each test releases it.
test.skip(({ holdWasm }) => !holdWasm, 'needs the .wasm held back (slow-wasm project)');

const MEMBER = { email: 'early@example.com', name: 'Eve Early', password: 'early-bird-catches-worms', role: 'member' as const };

test.beforeAll(({ clientele, dataDir }) => {
  try {
    createUser({ clientele, dataDir }, MEMBER);
  } catch (error) {
    // The other worker made it first.
    if (!String((error as { stderr?: Buffer }).stderr ?? error).includes('already')) throw error;
  }
});

/** Signs in over HTTP (the browser shares the cookie), leaving the held .wasm untouched. */
async function signInQuietly(page: Page, baseURL: string): Promise<void> {
  const response = await page.request.post('/api/auth/login', {
    form: { email: MEMBER.email, password: MEMBER.password },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** How many live contacts match `search`, asked of the server. */
async function contactsMatching(page: Page, baseURL: string, search: string): Promise<number> {
  const response = await page.request.post('/api/contacts/list', { form: { 'query[q]': search }, headers: { origin: baseURL } });
  expect(response.ok()).toBeTruthy();
  return (await response.json()).page.rows.length;
}

/** Counts the requests to save a contact. */
function countSaves(page: Page): { readonly count: number } {
  const seen = { count: 0 };
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/contacts/save') seen.count += 1;
  });
  return seen;
}

async function attribute(page: Page, name: string): Promise<string | null> {
  return page.locator('html').getAttribute(name);
}

async function fillNewContact(page: Page, name: string): Promise<void> {
  await page.goto('/contacts/new');
  await page.getByLabel('First name').fill(name);
  await page.getByLabel('Last name').fill('Early');
  await page.getByLabel('City').fill('Lyon');
}

test('a click before hydration takes effect after it, exactly once', async ({ page, wasm }) => {
  await page.goto('/login');
  const password = page.getByLabel('Password', { exact: true });
  const show = page.getByRole('button', { name: 'Show password' });
  await password.fill('secret words');
  await show.click();
  // Recorded and marked pending; nothing can happen until the code has arrived.
  await expect(show).toHaveAttribute('aria-busy', 'true');
  await expect(password).toHaveAttribute('type', 'password');
  wasm.release();
  await hydrated(page);
  await expect(password).toHaveAttribute('type', 'text');
  await expect(show).toHaveAttribute('aria-pressed', 'true');
  await expect(show).not.toHaveAttribute('aria-busy', /.*/);
  await expect(password).toHaveValue('secret words');
  expect(await attribute(page, 'data-replayed')).toBe('2'); // the typed field and the click
});

test('"Refresh status" pressed before hydration refreshes the card in place once', async ({ page, wasm, baseURL }) => {
  await signInQuietly(page, baseURL!);
  await page.goto('/');
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
  await page.getByRole('button', { name: 'Refresh status' }).click();
  await expect(page.getByRole('status')).toHaveCount(0);
  wasm.release();
  await hydrated(page);
  await expect(page.getByRole('status')).toHaveText('Status refreshed.');
  // Held and replayed through the app's handler: no page load happened.
  expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
  await expect(page).toHaveURL('/');
});

test('text typed before hydration is still there after it, with focus and caret', async ({ page, wasm, baseURL }) => {
  await signInQuietly(page, baseURL!);
  await page.goto('/contacts/new');
  await page.getByLabel('First name').fill('Tess');
  await page.getByLabel('Notes').fill('Met at the fair.\nCall back in May.');
  await page.getByLabel('Status').selectOption({ label: 'Customer' });
  await page.getByLabel('Email').fill('tess@example.com');
  const title = page.getByLabel('Job title');
  await title.click();
  await page.keyboard.type('Head of Sales');
  for (let i = 0; i < 9; i++) await page.keyboard.press('ArrowLeft');
  const scrolled = await page.evaluate(() => {
    window.scrollTo(0, 40);
    return window.scrollY;
  });
  wasm.release();
  await hydrated(page);
  await expect(page.getByLabel('First name')).toHaveValue('Tess');
  await expect(page.getByLabel('Notes')).toHaveValue('Met at the fair.\nCall back in May.');
  await expect(page.getByLabel('Status')).toHaveValue('customer');
  await expect(page.getByLabel('Email')).toHaveValue('tess@example.com');
  await expect(title).toHaveValue('Head of Sales');
  await expect(title).toBeFocused();
  expect(await title.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([4, 4]);
  expect(await page.evaluate(() => window.scrollY)).toBe(scrolled);
  // Typing goes on where the caret was.
  await page.keyboard.type(' Regional');
  await expect(title).toHaveValue('Head Regional of Sales');
});

test('a search typed before hydration is acted on once the page is live', async ({ page, wasm, baseURL }) => {
  await signInQuietly(page, baseURL!);
  await page.goto('/contacts');
  await page.getByLabel('Search').fill('nobody-by-this-name');
  wasm.release();
  await hydrated(page);
  await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('nobody-by-this-name');
  await expect(page.getByText('No contacts match')).toBeVisible();
});

test('a form submitted before hydration creates exactly one record', async ({ page, wasm, baseURL }) => {
  await signInQuietly(page, baseURL!);
  const saves = countSaves(page);
  await fillNewContact(page, 'Quinn');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('form.record-form')).toHaveAttribute('aria-busy', 'true');
  // Held until the page is live: nothing has been sent yet.
  await page.waitForTimeout(300);
  expect(saves.count).toBe(0);
  wasm.release();
  await expect(page).toHaveURL(/\/contacts\/\d+\?saved=1$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Quinn Early' })).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Contact saved.');
  expect(saves.count).toBe(1);
  expect(await contactsMatching(page, baseURL!, 'Quinn')).toBe(1);
});

test('a double click on Save before hydration creates one record', async ({ page, wasm, baseURL }) => {
  await signInQuietly(page, baseURL!);
  const saves = countSaves(page);
  await fillNewContact(page, 'Dana');
  await page.getByRole('button', { name: 'Save' }).dblclick();
  wasm.release();
  await expect(page).toHaveURL(/\/contacts\/\d+\?saved=1$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Dana Early' })).toBeVisible();
  expect(saves.count).toBe(1);
  expect(await contactsMatching(page, baseURL!, 'Dana')).toBe(1);
});

test('when the .wasm fails to load, a held submit is sent natively, once', async ({ page, wasm, baseURL, consoleLog }) => {
  consoleLog.allow(/ERR_FAILED|Failed to fetch|WebAssembly|\.wasm|Failed to load resource/i);
  await signInQuietly(page, baseURL!);
  const saves = countSaves(page);
  await fillNewContact(page, 'Nadia');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('form.record-form')).toHaveAttribute('aria-busy', 'true');
  wasm.abort();
  await expect(page).toHaveURL(/\/contacts\/\d+\?saved=1$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Nadia Early' })).toBeVisible();
  expect(saves.count).toBe(1);
  expect(await contactsMatching(page, baseURL!, 'Nadia')).toBe(1);
});

test('when hydration takes too long, a held submit is sent natively, once', async ({ page, baseURL }) => {
  await signInQuietly(page, baseURL!);
  const saves = countSaves(page);
  await fillNewContact(page, 'Otto');
  await page.getByRole('button', { name: 'Save' }).click();
  // The .wasm never arrives: after the deadline (4 s) the browser posts the form itself.
  await expect(page).toHaveURL(/\/contacts\/\d+\?saved=1$/, { timeout: 15_000 });
  await expect(page.getByRole('heading', { level: 1, name: 'Otto Early' })).toBeVisible();
  expect(saves.count).toBe(1);
  expect(await contactsMatching(page, baseURL!, 'Otto')).toBe(1);
});

test('a click older than 10 s when hydration finishes is dropped', async ({ page, wasm }) => {
  test.slow();
  await page.goto('/login');
  const show = page.getByRole('button', { name: 'Show password' });
  await show.click();
  await page.waitForTimeout(10_500);
  wasm.release();
  await hydrated(page);
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('type', 'password');
  await expect(show).toHaveAttribute('aria-pressed', 'false');
  await expect(show).not.toHaveAttribute('aria-busy', /.*/);
  expect(await attribute(page, 'data-replayed')).toBe('0');
  expect(await attribute(page, 'data-dropped')).toBe('1');
});

test('time to hydration and replayed events are visible to monitoring', async ({ page, wasm }) => {
  await page.goto('/login');
  await page.getByRole('button', { name: 'Show password' }).click();
  wasm.release();
  await hydrated(page);
  const ms = Number(await attribute(page, 'data-hydration-ms'));
  expect(ms).toBeGreaterThan(0);
  const mark = await page.evaluate(() => {
    const entry = performance.getEntriesByName('clientele:hydrated')[0] as PerformanceMark;
    return { at: entry.startTime, detail: entry.detail };
  });
  expect(mark.detail).toEqual({ replayed: 1, dropped: 0 });
  expect(Math.abs(mark.at - ms)).toBeLessThan(50);
});

test('a control marked data-no-replay is left alone before hydration', async ({ page, wasm }) => {
  await page.goto('/login');
  const show = page.getByRole('button', { name: 'Show password' });
  await show.evaluate((el) => el.setAttribute('data-no-replay', ''));
  await show.click();
  await expect(show).not.toHaveAttribute('aria-busy', /.*/);
  wasm.release();
  await hydrated(page);
  await expect(show).toHaveAttribute('aria-pressed', 'false');
  expect(await attribute(page, 'data-replayed')).toBe('0');
});

test('a form outside the islands posts at once, without waiting for the .wasm', async ({ page, baseURL }) => {
  await signInQuietly(page, baseURL!);
  await page.goto('/contacts');
  await expect(page.getByRole('banner')).toContainText('Signed in as Eve Early');
  // "Sign out" is a plain form: nothing on the page would ever handle it but the browser.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Sign in' })).toBeVisible();
  // The .wasm is still held back: the form went without it.
  expect(await attribute(page, 'data-hydrated')).toBeNull();
  await page.goto('/settings');
  await expect(page).toHaveURL('/login?next=%2Fsettings');
});
