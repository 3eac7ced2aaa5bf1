#!/usr/bin/env node
// `make lighthouse`: Lighthouse (npm `lighthouse`, in end2end/) on the main pages, in Debian's
// Chromium (headless, through chrome-launcher), with Lighthouse's default mobile profile
// (a Moto G Power screen, simulated slow 4G and a 4× slower CPU).
//
// Starts the release server on loopback with a fresh database in a temporary folder, creates a user,
// seeds a small data set and signs in (bench/server.mjs), then audits /login signed out and
// /, /contacts, a contact page and /contacts/new signed in (the session cookie is sent with every
// request through Lighthouse's `extraHeaders`). Prints one table of scores and key metrics
// against the targets (performance >= 95, accessibility 100), then what each page's failing
// audits point at, and writes each run's JSON report to a temporary folder whose path it prints.
// The server is stopped at the end, also on failure.
//
// Usage: node bench/lighthouse.mjs   (after `make build`; about 90 s on 2 cores)
// Environment: LIGHTHOUSE_PAGES (a JSON list of paths, signed in; /login is always audited signed
// out), LIGHTHOUSE_RUNS (runs a page, 3: the median run by performance score is shown, with the
// range of scores, since the simulated LCP depends on a race on loopback), LIGHTHOUSE_TIMEOUT
// (hard limit in seconds, 300), LIGHTHOUSE_STRICT=1 (exit 1 when a target is missed),
// CHROME_PATH (the browser, /usr/bin/chromium).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireE2e, chromiumPath, startServer, signIn } from './server.mjs';

const { default: lighthouse } = await import(pathToFileURL(requireE2e.resolve('lighthouse')).href);
const chromeLauncher = await import(pathToFileURL(requireE2e.resolve('chrome-launcher')).href);

const TARGET_PERFORMANCE = 95;
const TARGET_ACCESSIBILITY = 100;
const started = Date.now();
const limit = Number(process.env.LIGHTHOUSE_TIMEOUT ?? 300);
const runsPerPage = Math.max(1, Number(process.env.LIGHTHOUSE_RUNS ?? 3));
const user = { email: 'lighthouse@example.com', name: 'Lena Lighthouse', password: 'beam-across-the-bay' };

// Bounded: past the limit everything is stopped (the exit handlers below and in server.mjs).
setTimeout(() => {
  console.error(`lighthouse: gave up after ${limit} s (LIGHTHOUSE_TIMEOUT)`);
  process.exit(2);
}, limit * 1000).unref();

const signedIn = process.env.LIGHTHOUSE_PAGES
  ? JSON.parse(process.env.LIGHTHOUSE_PAGES)
  : ['/', '/contacts', '/contacts/1', '/contacts/new'];
const pages = [{ path: '/login', cookie: false }, ...signedIn.map((p) => ({ path: p, cookie: true }))];

const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'clientele-lighthouse-reports-'));
const server = await startServer({ name: 'lighthouse', user, seed: { companies: 50, contacts: 500 } });
let chrome;
const killChrome = () => {
  try {
    if (chrome?.pid) process.kill(chrome.pid, 'SIGKILL');
  } catch {}
};
process.once('exit', killChrome);

const rows = [];
const findings = [];
try {
  const session = await signIn(server.base, user);
  chrome = await chromeLauncher.launch({
    chromePath: chromiumPath,
    chromeFlags: [
      '--headless=new',
      // This machine has no network beyond loopback: keep Chromium from phoning home.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      // Chromium refuses to run its sandbox as root (CI runs as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
    ],
    logLevel: 'silent',
    handleSIGINT: false,
  });

  for (const page of pages) {
    const url = `${server.base}${page.path}`;
    const stem = page.path.replace(/^\//, '').replace(/[^a-z0-9]+/gi, '-') || 'home';
    const runs = [];
    for (let run = 1; run <= runsPerPage; run++) {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: 'json',
        logLevel: 'error',
        onlyCategories: ['performance', 'accessibility', 'best-practices'],
        extraHeaders: page.cookie ? { Cookie: session.header } : undefined,
      });
      if (!result) throw new Error(`Lighthouse returned nothing for ${page.path}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse on ${page.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      // A signed-in page that came back as the sign-in form was not measured.
      if (page.cookie && new URL(lhr.finalDisplayedUrl).pathname === '/login') {
        throw new Error(`${page.path} redirected to /login: the session cookie was not accepted`);
      }
      fs.writeFileSync(path.join(reports, runsPerPage > 1 ? `${stem}.run${run}.json` : `${stem}.json`), result.report);
      runs.push(lhr);
    }
    // The run with the median performance score stands for the page; the range shows the spread.
    const scores = runs.map((lhr) => Math.round(lhr.categories.performance.score * 100));
    const median = runs[scores.map((score, i) => [score, i]).sort((x, y) => x[0] - y[0])[Math.floor(runs.length / 2)][1]];
    rows.push({ ...summarise(page.path, median), range: [Math.min(...scores), Math.max(...scores)] });
    findings.push([page.path, explain(median)]);
  }
} finally {
  await chrome?.kill();
  await server.stop();
}

const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\nLighthouse ${rows[0]?.version ?? ''}, mobile (default: simulated slow 4G, 4x CPU slowdown), ${runsPerPage} run(s) a page, the median by performance score (its range in brackets); ${os.cpus().length} cores, ${seconds} s`);
console.log(`| page | performance | accessibility | best practices | FCP | LCP | TBT | CLS | targets (perf >= ${TARGET_PERFORMANCE}, a11y ${TARGET_ACCESSIBILITY}) |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
let missed = 0;
for (const r of rows) {
  const misses = [];
  if (r.performance < TARGET_PERFORMANCE) misses.push('performance');
  if (r.accessibility < TARGET_ACCESSIBILITY) misses.push('accessibility');
  missed += misses.length;
  const verdict = misses.length ? `MISSED (${misses.join(', ')})` : 'met';
  const spread = r.range[0] === r.range[1] ? '' : ` (${r.range[0]}–${r.range[1]})`;
  console.log(`| ${r.page} | ${r.performance}${spread} | ${r.accessibility} | ${r.bestPractices} | ${r.fcp} | ${r.lcp} | ${r.tbt} | ${r.cls} | ${verdict} |`);
}
console.log('\nPer page: what the performance audits blame, then every other audit scoring < 0.9:');
for (const [page, lines] of findings) {
  console.log(`- ${page}${lines.length ? '' : ': none'}`);
  for (const line of lines) console.log(`    ${line}`);
}
console.log(`\nJSON reports: ${reports}`);
if (missed && process.env.LIGHTHOUSE_STRICT === '1') process.exit(1);

function summarise(page, lhr) {
  const score = (id) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const ms = (id) => `${Math.round(lhr.audits[id]?.numericValue ?? NaN)} ms`;
  return {
    page,
    version: lhr.lighthouseVersion,
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    fcp: ms('first-contentful-paint'),
    lcp: ms('largest-contentful-paint'),
    tbt: ms('total-blocking-time'),
    cls: (lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN).toFixed(3),
  };
}

// What the performance audits blame (the LCP element and its phases, the longest task, render-
// blocking files, unused JavaScript, the heaviest file), then every other audit that costs points,
// with what it names (elements, files).
function explain(lhr) {
  const a = lhr.audits;
  const lines = [];
  const blame = [];
  const lcpDetails = a['largest-contentful-paint-element']?.details;
  const lcp = firstNode(lcpDetails);
  if (lcp) {
    const phases = (lcpDetails.items?.[1]?.items ?? []).filter((p) => p.timing >= 1).map((p) => `${p.phase} ${Math.round(p.timing)} ms`);
    blame.push(`LCP element ${lcp.selector ?? ''} "${short(lcp.nodeLabel ?? lcp.snippet ?? '', 40)}"${phases.length ? ` (${phases.join(', ')})` : ''}`);
  }
  const longest = a['long-tasks']?.details?.items?.[0];
  blame.push(`TBT ${Math.round(a['total-blocking-time']?.numericValue ?? 0)} ms${longest ? `, longest task ${Math.round(longest.duration)} ms in ${file(longest.url)}` : ''}`);
  const blocking = a['render-blocking-resources']?.details?.items ?? [];
  blame.push(`render-blocking: ${blocking.length ? blocking.map((i) => `${file(i.url)} ~${Math.round(i.wastedMs)} ms`).join(', ') : 'none'}`);
  const unused = a['unused-javascript']?.details?.overallSavingsBytes ?? 0;
  blame.push(`unused JS ${Math.round(unused / 1024)} KiB`);
  const heaviest = a['total-byte-weight']?.details?.items?.[0];
  if (heaviest) {
    // The simulated LCP waits for what had finished loading before the observed (unthrottled) LCP.
    const request = a['network-requests']?.details?.items?.find((r) => r.url === heaviest.url);
    const observedLcp = a.metrics?.details?.items?.[0]?.observedLargestContentfulPaint;
    const onPath = request && observedLcp !== undefined && request.networkEndTime <= observedLcp;
    blame.push(`heaviest ${file(heaviest.url)} ${Math.round(heaviest.totalBytes / 1024)} of ${Math.round((a['total-byte-weight'].numericValue ?? 0) / 1024)} KiB${onPath ? ', loaded before the observed LCP paint, so the simulated LCP waits for it' : ''}`);
  }
  lines.push(`[performance] ${blame.join('; ')}`);
  const summarised = new Set(['largest-contentful-paint-element', 'render-blocking-resources', 'unused-javascript']);
  for (const [category, { auditRefs }] of Object.entries(lhr.categories)) {
    for (const ref of auditRefs) {
      if (ref.group === 'metrics' || ref.group === 'hidden' || summarised.has(ref.id)) continue;
      const audit = a[ref.id];
      if (!audit || audit.score === null || audit.score >= 0.9) continue;
      if (audit.scoreDisplayMode === 'informative' || audit.scoreDisplayMode === 'notApplicable') continue;
      const named = items(audit.details);
      const distinct = [...new Set(named)];
      const what = distinct.slice(0, 3).join('; ') + (distinct.length > 3 ? '; …' : '');
      const count = named.length > 1 ? ` ×${named.length}` : '';
      const weight = ref.weight ? '' : ' [not scored]';
      lines.push(`[${category}] ${audit.id}${weight}: ${audit.title}${audit.displayValue ? ` (${audit.displayValue})` : ''}${what ? `${count} — ${what}` : ''}`);
    }
  }
  return lines;
}

function file(url) {
  return typeof url === 'string' ? url.replace(/^https?:\/\/[^/]+/, '') : String(url);
}

function items(details) {
  if (!details) return [];
  const list = details.type === 'list' ? details.items.flatMap((d) => d.items ?? []) : details.items ?? [];
  return list.map((item) => {
    const node = item.node ?? (item.type === 'node' ? item : null);
    if (node) return `${node.selector ?? ''} ${short(node.snippet ?? '')}${node.explanation ? ` (${short(node.explanation.split('\n').pop(), 100)})` : ''}`.trim();
    const where = typeof (item.url ?? item.scriptUrl) === 'string' ? file(item.url ?? item.scriptUrl) : item.source?.url ?? item.groupLabel ?? item.group ?? item.description ?? '';
    const cost = item.wastedMs ? `${Math.round(item.wastedMs)} ms` : item.wastedBytes ? `${Math.round(item.wastedBytes / 1024)} KiB unused` : item.duration ? `${Math.round(item.duration)} ms` : item.total ? `${Math.round(item.total)} ms` : '';
    return `${where}${cost ? ` ${cost}` : ''}`.trim();
  }).filter(Boolean);
}

function firstNode(details) {
  if (!details) return null;
  for (const item of details.type === 'list' ? details.items.flatMap((d) => d.items ?? []) : details.items ?? []) {
    if (item.node) return item.node;
    if (item.type === 'node') return item;
  }
  return null;
}

function short(text, max = 80) {
  const flat = String(text).replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
