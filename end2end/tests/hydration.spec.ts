import { test, expect, hydrated, signInByRequest } from './fixtures';

test.describe('with JavaScript', () => {
  test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, 'needs JavaScript');

  test('hydrates without console errors and loads the WASM bundle once', async ({ page, wasm }) => {
    const wasmResponses: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.wasm')) wasmResponses.push(`${r.status()} ${r.url()}`);
    });
    await page.goto('/');
    wasm.release();
    await hydrated(page);
    expect(wasmResponses).toHaveLength(1);
    expect(wasmResponses[0]).toMatch(/^200 /);
    // The moment of hydration is visible to monitoring.
    const marks = await page.evaluate(() => performance.getEntriesByName('clientele:hydrated').length);
    expect(marks).toBe(1);
  });

  test('"Refresh status" updates the card in place once hydrated', async ({ page, wasm, baseURL, clientele, dataDir }) => {
    await signInByRequest(page, baseURL!, { clientele, dataDir });
    await page.goto('/');
    wasm.release();
    await hydrated(page);
    // A full page load would lose this marker.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    const summaryCall = page.waitForRequest((r) => r.url().endsWith('/api/workspace/summary') && r.method() === 'POST');
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await summaryCall;
    await expect(page.getByRole('status')).toHaveText('Status refreshed.');
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await expect(page.getByRole('status')).toHaveText('Status refreshed (2 times).');
    await expect(page.getByText(/Ready \(schema version \d+\)/)).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('same page');
    await expect(page).toHaveURL('/');
  });

  test('"Refresh status" says so when the status cannot be read', async ({ page, wasm, baseURL, clientele, dataDir, consoleLog }) => {
    consoleLog.allow(/status of 503/);
    await signInByRequest(page, baseURL!, { clientele, dataDir });
    await page.goto('/');
    wasm.release();
    await hydrated(page);
    await page.route('**/api/workspace/summary', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ Unavailable: 'The database is busy.' }) }),
    );
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await expect(page.getByRole('alert')).toHaveText('The status could not be refreshed: The database is busy.');
    await expect(page.getByRole('button', { name: 'Refresh status' })).not.toHaveAttribute('aria-busy', /.*/);
    await page.unroute('**/api/workspace/summary');
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await expect(page.getByRole('status')).toHaveText('Status refreshed.');
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
});

test.describe('without JavaScript', () => {
  test.skip(({ javaScriptEnabled }) => javaScriptEnabled, 'checks the no-JavaScript path');

  test('"Refresh status" reloads the page with fresh facts', async ({ page, baseURL, clientele, dataDir }) => {
    await signInByRequest(page, baseURL!, { clientele, dataDir });
    await page.goto('/');
    const reload = page.waitForRequest((r) => r.isNavigationRequest() && new URL(r.url()).pathname === '/');
    await page.getByRole('button', { name: 'Refresh status' }).click();
    await reload;
    await expect(page.getByText(/Ready \(schema version \d+\)/)).toBeVisible();
    await expect(page.getByRole('status')).toHaveCount(0);
  });
});
