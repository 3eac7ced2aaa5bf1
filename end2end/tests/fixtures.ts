import { test as base, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';

export type Options = {
  /** Hold every `.wasm` response until the test calls `wasm.release()` (the `slow-wasm` project). */
  holdWasm: boolean;
  /** The data folder of this project's server (for `clientele user …` commands). */
  dataDir: string;
  /** Path of the `clientele` binary under test. */
  clientele: string;
};

export interface WasmGate {
  /** Whether this test's `.wasm` responses are held back. */
  readonly held: boolean;
  /** Resolves when the browser has asked for the `.wasm` file. */
  readonly requested: Promise<void>;
  /** Lets the held `.wasm` response through. */
  release(): void;
  /** Fails the held `.wasm` request, as a broken network would. */
  abort(): void;
}

export interface ConsoleLog {
  /** Errors (and hydration warnings) the page logged so far. */
  readonly messages: string[];
  /** Accept messages matching `pattern` in this test (e.g. the 404 of a not-found page). */
  allow(pattern: RegExp): void;
}

type Fixtures = { wasm: WasmGate; consoleLog: ConsoleLog };

export const test = base.extend<Fixtures & Options>({
  holdWasm: [false, { option: true }],
  dataDir: ['', { option: true }],
  clientele: ['', { option: true }],

  wasm: [
    async ({ page, holdWasm }, use) => {
      let release!: () => void;
      let abort!: () => void;
      let requested!: () => void;
      const decision = new Promise<'continue' | 'abort'>((resolve) => {
        release = () => resolve('continue');
        abort = () => resolve('abort');
      });
      const wasRequested = new Promise<void>((resolve) => (requested = resolve));
      if (holdWasm) {
        await page.route('**/*.wasm', async (route) => {
          requested();
          if ((await decision) === 'abort') await route.abort('failed');
          else await route.continue();
        });
      }
      await use({ held: holdWasm, requested: wasRequested, release, abort });
      release();
    },
    { auto: true },
  ],

  consoleLog: [
    async ({ page }, use) => {
      const messages: string[] = [];
      const allowed: RegExp[] = [];
      page.on('console', (message) => {
        const text = message.text();
        if (message.type() === 'error' || (message.type() === 'warning' && /hydrat/i.test(text))) {
          messages.push(`${message.type()}: ${text}`);
        }
      });
      page.on('pageerror', (error) => messages.push(`uncaught: ${error.message}`));
      await use({ messages, allow: (pattern) => allowed.push(pattern) });
      const unexpected = messages.filter((m) => !allowed.some((p) => p.test(m)));
      expect(unexpected, 'the browser console shows no errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Waits until the WASM bundle has hydrated the page (`html[data-hydrated]`). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-hydrated', '');
}

/** Whether the current project runs pages with JavaScript. */
export function jsEnabled(projectName: string): boolean {
  return projectName !== 'nojs';
}

/** The first administrator, registered by `auth.setup.ts` in each project. */
export const ADMIN = { name: 'Ada Admin', email: 'ada@example.com', password: 'copper-kettle-meadow' };

/** Creates an account with the operator's command line (`clientele user create`). */
export function createUser(
  opts: { clientele: string; dataDir: string },
  user: { email: string; name: string; password: string; role: 'admin' | 'member' | 'viewer' },
): void {
  execFileSync(
    opts.clientele,
    ['user', 'create', '--email', user.email, '--name', user.name, '--role', user.role, '--data-dir', opts.dataDir],
    { env: { ...process.env, CLIENTELE_PASSWORD: user.password, RUST_LOG: 'warn' }, stdio: 'pipe' },
  );
}

/** A viewer every project has (made with the command line the first time it is needed). */
export const READER = { email: 'reader@example.com', name: 'Rita Reader', password: 'reader-reads-records', role: 'viewer' as const };

/** Signs in as `READER` without the form (a script's call to the sign-in server function). */
export async function signInByRequest(page: Page, baseURL: string, opts: { clientele: string; dataDir: string }): Promise<void> {
  try {
    createUser(opts, READER);
  } catch {
    // Made by an earlier test of this project.
  }
  const response = await page.request.post('/api/auth/login', {
    form: { email: READER.email, password: READER.password },
    headers: { origin: baseURL },
  });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** Signs in through the login form. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The fields of the contact form (`/api/contacts/save`). */
export const CONTACT_FIELDS = ['id', 'version', 'first_name', 'last_name', 'email', 'phone', 'job_title', 'company', 'city', 'status', 'tags', 'notes', 'owner'];
/** The fields of the company form (`/api/companies/save`). */
export const COMPANY_FIELDS = ['id', 'version', 'name', 'domain', 'industry', 'size', 'phone', 'website', 'street', 'city', 'postal_code', 'country', 'notes', 'owner'];

async function apiSave(page: Page, baseURL: string, endpoint: string, fields: string[], given: Record<string, string>): Promise<void> {
  const form: Record<string, string> = {};
  for (const name of fields) form[name] = given[name] ?? '';
  const response = await page.request.post(endpoint, { form, headers: { origin: baseURL } });
  expect(response.ok(), await response.text()).toBeTruthy();
}

/** Creates a contact through the same server function the form uses (signed in as a member or admin). */
export async function apiContact(page: Page, baseURL: string, given: Record<string, string>): Promise<void> {
  await apiSave(page, baseURL, '/api/contacts/save', CONTACT_FIELDS, given);
}

/** Creates a company through the same server function the form uses (signed in as a member or admin). */
export async function apiCompany(page: Page, baseURL: string, given: Record<string, string>): Promise<void> {
  await apiSave(page, baseURL, '/api/companies/save', COMPANY_FIELDS, given);
}
