import { defineConfig, devices, type PlaywrightTestConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Options } from './tests/fixtures';

// The servers under test: the release build made by `cargo leptos build --release`, one per
// browser mode, each on a fresh database in a temporary folder made once per run. Playwright polls
// /readyz until each answers.
const root = path.resolve(__dirname, '..');
const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const binary = process.env.CLIENTELE_BIN ?? path.join(targetDir, 'release', 'clientele');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(root, 'target', 'site');
// Set once by the runner; its workers inherit it.
process.env.E2E_RUN_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-e2e-'));
const runDir = process.env.E2E_RUN_DIR;
const basePort = Number(process.env.E2E_PORT ?? 3100);
// External server (`make cluster-test`, tests/cluster/run.py): with CLIENTELE_BASE_URL set, every
// project runs against that URL (nginx over HTTPS with a self-signed certificate, hence
// ignoreHTTPSErrors) and no server is started here. The tests' `clientele user create` then
// reaches that server's database through CLIENTELE_DATABASE_URL, which the caller sets too, with
// the setup token the server printed (CLIENTELE_SETUP_TOKEN).
const externalURL = process.env.CLIENTELE_BASE_URL;

const modes = [
  { name: 'js', use: {} },
  { name: 'nojs', use: { javaScriptEnabled: false } },
  // The .wasm response is held back until the test releases it.
  { name: 'slow-wasm', use: { holdWasm: true } },
] as const;

const servers = modes.map((mode, i) => ({
  ...mode,
  port: basePort + i,
  dataDir: path.join(runDir, mode.name),
}));

const projects: PlaywrightTestConfig<Options>['projects'] = servers.flatMap((server) => {
  const use = {
    ...devices['Desktop Chrome'],
    ...server.use,
    baseURL: externalURL ?? `http://127.0.0.1:${server.port}`,
    ...(externalURL ? { ignoreHTTPSErrors: true } : {}),
    dataDir: server.dataDir,
    clientele: binary,
  };
  // An external server is one workspace for every project: one setup project registers its
  // first administrator (with the setup link, CLIENTELE_SETUP_TOKEN), before every project.
  if (externalURL) return [{ name: server.name, use, dependencies: ['setup'] }];
  return [
    // Registers the first administrator through the browser, before the project's other tests.
    { name: `${server.name}-setup`, testMatch: /.*\.setup\.ts/, use },
    { name: server.name, use, dependencies: [`${server.name}-setup`] },
  ];
});

if (externalURL && projects) {
  projects.unshift({ name: 'setup', testMatch: /.*\.setup\.ts/, use: projects[0].use });
}

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
  projects,
  webServer: externalURL ? undefined : servers.map((server) => ({
    command: `"${binary}" serve --listen 127.0.0.1:${server.port} --data-dir "${server.dataDir}"`,
    url: `http://127.0.0.1:${server.port}/readyz`,
    cwd: root,
    env: { LEPTOS_SITE_ROOT: siteRoot, LEPTOS_ENV: 'PROD', RUST_LOG: process.env.RUST_LOG ?? 'error' },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
  })),
});
