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
