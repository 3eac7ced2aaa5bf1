import { defineConfig, devices } from '@playwright/test';
import * as path from 'node:path';
import type { Options } from './tests/fixtures';

// The server under test: the release build made by `cargo leptos build --release`, on a fresh
// temporary database, started once for the whole run. Playwright polls /readyz until it answers.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const root = path.resolve(__dirname, '..');
const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const binary = process.env.CLIENTELE_BIN ?? path.join(targetDir, 'release', 'clientele');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(root, 'target', 'site');

export default defineConfig<Options>({
  testDir: './tests',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: [['list'], ['html', { open: 'never' }]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // This machine has no network beyond loopback: keep Chromium from phoning home.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'js', use: { ...devices['Desktop Chrome'] } },
    { name: 'nojs', use: { ...devices['Desktop Chrome'], javaScriptEnabled: false } },
    // The .wasm response is held back until the test releases it.
    { name: 'slow-wasm', use: { ...devices['Desktop Chrome'], holdWasm: true } },
  ],
  webServer: {
    command: `bash -c 'exec "$0" serve --listen 127.0.0.1:${port} --data-dir "$(mktemp -d -t clientele-e2e.XXXXXX)"' '${binary}'`,
    url: `${baseURL}/readyz`,
    cwd: root,
    env: { LEPTOS_SITE_ROOT: siteRoot, LEPTOS_ENV: 'PROD', RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
