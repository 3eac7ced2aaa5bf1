// What the browser benchmarks share (bench/hydration.mjs, bench/lighthouse.mjs): the release
// server started on loopback with a fresh database in a temporary folder, an account and a small
// seeded data set, a signed-in session, and the server stopped (and its folder removed) at the
// end, also when the script fails or is interrupted.
//
// Paths follow `make build`: the binary in $CARGO_TARGET_DIR/release (CLIENTELE_BIN overrides it),
// the site folder in target/site (LEPTOS_SITE_ROOT overrides it).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
/** `require` resolving from end2end/, where the npm packages (Playwright, Lighthouse) live. */
export const requireE2e = createRequire(path.join(root, 'end2end', 'package.json'));

const target = path.resolve(root, process.env.CARGO_TARGET_DIR ?? 'target');
export const binary = process.env.CLIENTELE_BIN ?? path.join(target, 'release', 'clientele');
export const siteRoot = process.env.LEPTOS_SITE_ROOT ?? path.join(root, 'target', 'site');
export const chromiumPath = process.env.CHROMIUM_PATH ?? process.env.CHROME_PATH ?? '/usr/bin/chromium';

/** A TCP port free on loopback right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `/readyz` until the server answers 200 (20 s at most). */
export async function waitReady(base, server) {
  for (let i = 0; i < 200; i++) {
    if (server && server.exitCode !== null) throw new Error(`the server exited with status ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server did not become ready');
}

/**
 * Starts the release server on a fresh database: `user` (an administrator) created and
 * `seed.companies` / `seed.contacts` synthetic records loaded with the binary's own commands.
 * Resolves to `{ base, data, stop }` once `/readyz` answers; `stop()` sends SIGTERM, waits for the
 * server to exit and removes the data folder. The server is also stopped when this process exits
 * or is interrupted.
 */
export async function startServer({ name, user, seed = { companies: 200, contacts: 2000 }, port }) {
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found: run \`make build\` first`);
  if (!fs.existsSync(siteRoot)) throw new Error(`${siteRoot} not found: run \`make build\` first`);
  port ??= await freePort();
  const base = `http://127.0.0.1:${port}`;
  const data = fs.mkdtempSync(path.join(os.tmpdir(), `clientele-${name}-`));
  let server;
  let stopped = false;
  const cleanUp = () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    fs.rmSync(data, { recursive: true, force: true });
  };
  // A failure or Ctrl-C must not leave a server behind.
  const onExit = () => cleanUp();
  const onSignal = (signal) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(data, { recursive: true, force: true });
  };

  try {
    const env = { ...process.env, RUST_LOG: 'warn', CLIENTELE_PASSWORD: user.password };
    execFileSync(binary, ['user', 'create', '--email', user.email, '--name', user.name ?? 'Bench', '--role', 'admin', '--data-dir', data], { env, stdio: 'pipe' });
    if (seed.companies || seed.contacts) {
      execFileSync(binary, ['seed', '--companies', String(seed.companies ?? 0), '--contacts', String(seed.contacts ?? 0), '--data-dir', data], { env, stdio: 'pipe' });
    }
    server = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', data], {
      env: { ...env, CLIENTELE_PASSWORD: '', LEPTOS_SITE_ROOT: siteRoot, LEPTOS_ENV: 'PROD', RUST_LOG: 'error' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitReady(base, server);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, data, stop };
}

/**
 * Signs `user` in through the sign-in server function (as a script would) and returns the session
 * cookie as `{ name, value }` and as a `Cookie` header value.
 */
export async function signIn(base, user) {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: user.email, password: user.password }),
    redirect: 'manual',
  });
  if (response.status >= 400) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0]);
  const session = cookies.map((c) => c.split('=')).find(([name]) => name === 'clientele' || name === '__Host-clientele');
  if (!session) throw new Error(`sign-in set no session cookie (got: ${cookies.join(', ') || 'none'})`);
  const [name, ...rest] = session;
  const value = rest.join('=');
  return { name, value, header: `${name}=${value}` };
}
