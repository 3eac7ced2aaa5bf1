#!/usr/bin/env node
// Early interactions, measured: the inline capture script's size (raw and gzip) and, for the main
// pages, the time from the response's first byte to first contentful paint and to hydration
// (`html[data-hydrated]`), in Debian's Chromium driven by the e2e suite's Playwright.
//
// Starts the release server on loopback with a fresh database in a temporary folder, creates a user,
// seeds a small data set, signs in, then loads each page BENCH_RUNS times (default 7) and prints
// medians. BENCH_THROTTLE=1 adds a slow network (Chrome DevTools' "Fast 3G": 150 ms latency,
// 1.6 Mbit/s down) and 4× CPU slowdown.
//
// Usage: node bench/hydration.mjs   (after `make build`; about a minute)
// `make bench` runs it throttled against its own server (BENCH_URL, BENCH_PAGES, BENCH_JSON=1).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync, brotliCompressSync } from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(path.join(root, 'end2end', 'package.json'));
const { chromium } = require('@playwright/test');

const target = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
const binary = process.env.CLIENTELE_BIN ?? path.join(target, 'release', 'clientele');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(root, 'target', 'site');
const port = Number(process.env.BENCH_PORT ?? 3302);
let base = `http://127.0.0.1:${port}`;
const runs = Number(process.env.BENCH_RUNS ?? 7);
const throttle = process.env.BENCH_THROTTLE === '1';
const user = { email: 'hydration@example.com', password: 'hydrate-me-gently' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function waitReady() {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not become ready');
}

// BENCH_URL: measure a server that is already running (with BENCH_EMAIL / BENCH_PASSWORD);
// otherwise start one on a small seeded database.
const external = process.env.BENCH_URL;
if (external) {
  base = external;
  user.email = process.env.BENCH_EMAIL;
  user.password = process.env.BENCH_PASSWORD;
}
const json = process.env.BENCH_JSON === '1';
const log = json ? () => {} : console.log;
let data, server;
if (!external) {
  data = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-hydration-'));
  const env = { ...process.env, RUST_LOG: 'warn', CLIENTELE_PASSWORD: user.password };
  execFileSync(binary, ['user', 'create', '--email', user.email, '--name', 'Bench', '--role', 'admin', '--data-dir', data], { env, stdio: 'pipe' });
  execFileSync(binary, ['seed', '--companies', '200', '--contacts', '2000', '--data-dir', data], { env, stdio: 'pipe' });
  server = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data], {
    env: { ...env, LEPTOS_SITE_ROOT: siteRoot, LEPTOS_ENV: 'PROD', RUST_LOG: 'error' },
    stdio: 'inherit',
  });
}

try {
  await waitReady();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
  const context = await browser.newContext();
  const login = await context.request.post(`${base}/api/auth/login`, { form: user, headers: { origin: base } });
  if (!login.ok()) throw new Error(`sign-in failed: ${login.status()}`);

  // The inline script as the server sends it.
  const html = await (await context.request.get(`${base}/login`)).text();
  const script = /<script id="clientele-early"[^>]*>([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (!script) throw new Error('no inline capture script on /login');
  const bytes = Buffer.from(script);
  log(`Inline capture script: ${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzip, ${brotliCompressSync(bytes).length} B brotli`);

  const pages = process.env.BENCH_PAGES
    ? JSON.parse(process.env.BENCH_PAGES)
    : ['/', '/login', '/contacts', '/contacts?q=smith', '/contacts/1', '/contacts/new', '/companies', '/companies/1'];
  // A first visit (a fresh browser profile: nothing cached) and a repeat visit (bundle cached).
  // Chromium's emulated latency is applied reliably to a fresh connection only, so the first
  // visit is the one that shows the slow network.
  async function throttled(page) {
    if (!throttle) return;
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  }
  async function load(page, url) {
    await page.goto(`${base}${url}`, { waitUntil: 'commit' });
    await page.waitForSelector('html[data-hydrated]', { state: 'attached', timeout: 60_000 });
    return page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const hydrated = performance.getEntriesByName('clientele:hydrated')[0];
      return { ttfb: nav.responseStart, fcp: fcp ? fcp.startTime : NaN, hydrated: hydrated.startTime };
    });
  }
  const cookies = await context.cookies();
  const warm = await context.newPage();
  await throttled(warm);
  log(`\n${runs} loads per page${throttle ? ', throttled (Fast 3G: 150 ms RTT, 1.6 Mbit/s; 4x slower CPU)' : ', loopback, no throttling'}; medians in ms from navigation start:`);
  log('| page | first visit: TTFB | FCP | hydrated | repeat visit: hydrated |');
  log('| --- | ---: | ---: | ---: | ---: |');
  for (const url of pages) {
    const cold = [];
    const again = [];
    for (let i = 0; i < runs; i++) {
      const fresh = await browser.newContext();
      await fresh.addCookies(cookies);
      const page = await fresh.newPage();
      await throttled(page);
      cold.push(await load(page, url));
      await fresh.close();
      again.push(await load(warm, url));
    }
    const row = {
      page: url,
      ttfb: median(cold.map((s) => s.ttfb)),
      fcp: median(cold.map((s) => s.fcp)),
      hydrated: median(cold.map((s) => s.hydrated)),
      warmHydrated: median(again.map((s) => s.hydrated)),
    };
    if (json) console.log(JSON.stringify(row));
    const f = (v) => v.toFixed(0);
    log(`| ${url} | ${f(row.ttfb)} | ${f(row.fcp)} | ${f(row.hydrated)} | ${f(row.warmHydrated)} |`);
  }
  await browser.close();
} finally {
  if (server) server.kill('SIGTERM');
  if (data) fs.rmSync(data, { recursive: true, force: true });
}
