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
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { requireE2e, chromiumPath, startServer, signIn } from './server.mjs';

const { chromium } = requireE2e('@playwright/test');

const runs = Number(process.env.BENCH_RUNS ?? 7);
const throttle = process.env.BENCH_THROTTLE === '1';
const user = { email: 'hydration@example.com', name: 'Bench', password: 'hydrate-me-gently' };

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

// BENCH_URL: measure a server that is already running (with BENCH_EMAIL / BENCH_PASSWORD);
// otherwise start one on a small seeded database (bench/server.mjs).
const external = process.env.BENCH_URL;
let base, server;
if (external) {
  base = external;
  user.email = process.env.BENCH_EMAIL;
  user.password = process.env.BENCH_PASSWORD;
} else {
  server = await startServer({ name: 'hydration', user, port: Number(process.env.BENCH_PORT ?? 3302) });
  base = server.base;
}
const json = process.env.BENCH_JSON === '1';
const log = json ? () => {} : console.log;

try {
  const browser = await chromium.launch({ executablePath: chromiumPath });
  const context = await browser.newContext();
  const session = await signIn(base, user);
  await context.addCookies([{ name: session.name, value: session.value, url: base }]);

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
  await server?.stop();
}
