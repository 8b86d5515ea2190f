/**
 * The web console end to end: a real `nebula up` (embedded store, scheduler, node with simulated GPUs,
 * router, server serving dist/web), the fake Hugging Face / ModelScope hub, and headless Debian chromium
 * driven by playwright-core. An admin logs in, finds the fake hub's small model in the Model Catalog,
 * imports it with the simulator engine, watches it reach running, chats with it in the playground,
 * scales, stops and deletes it; a viewer then sees no write buttons. Screenshots (1280 and 1920 wide)
 * land in test-results/screenshots/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../fake-hub/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { findProcesses, isAlive } from '../helpers/procs.js';
import { tempDir } from '../helpers/tmp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SHOTS = join(ROOT, 'test-results/screenshots');
const CHROMIUM = process.env.NEBULA_CHROMIUM ?? '/usr/bin/chromium';
const HUB_MODEL = 'nebula-test/tiny-llm';
const UID = 'tiny-llm';
const ADMIN = { username: 'e2e-admin', password: 'admin-password-1' };
const VIEWER = { username: 'e2e-viewer', password: 'viewer-password-1' };
// Without these chromium keeps trying to reach Google services on a machine with no network.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface Cluster {
  proc: ChildProcess;
  base: string;
  adminKey: string;
  output: () => string;
}

let data: ReturnType<typeof tempDir> | undefined;
let profile: ReturnType<typeof tempDir> | undefined;
let hub: FakeHub | undefined;
let cluster: Cluster | undefined;
let context: BrowserContext | undefined;

async function startCluster(dataDir: string, hubUrl: string): Promise<Cluster> {
  const [serverPort, routerPort, grpcPort] = [await freePort(), await freePort(), await freePort()];
  const args = [
    'bin/nebula.js',
    'up',
    '--data-dir',
    dataDir,
    '--server-port',
    String(serverPort),
    '--router-port',
    String(routerPort),
    '--grpc-port',
    String(grpcPort),
  ];
  args.push('--gpus', 'sim:2x80GiB', '--hf-endpoint', hubUrl, '--modelscope-endpoint', hubUrl);
  // Its own process group, so cleanup reaches everything it started.
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      NEBULA_CONFIG: join(dataDir, 'config.yaml'),
      NEBULA_LOG_LEVEL: process.env.NEBULA_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const base = `http://127.0.0.1:${serverPort}`;
  await waitFor(
    async () => {
      if (proc.exitCode !== null)
        throw new Error(`nebula up exited with ${proc.exitCode}: ${out.slice(-2000)}`);
      const res = await fetch(`${base}/healthz`).catch(() => undefined);
      return res?.ok;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: 'nebula up to answer /healthz' },
  );
  const keyFile = join(dataDir, 'admin.key');
  const adminKey = await waitFor(() => existsSync(keyFile) && readFileSync(keyFile, 'utf8').trim(), {
    timeoutMs: 30_000,
    what: 'admin.key',
  });
  return { proc, base, adminKey, output: () => out };
}

async function stopCluster(c: Cluster, dataDir: string): Promise<void> {
  const pid = c.proc.pid;
  if (pid !== undefined && c.proc.exitCode === null) {
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const exited = await waitFor(() => c.proc.exitCode !== null || c.proc.signalCode !== null, {
      timeoutMs: 20_000,
    }).catch(() => false);
    if (!exited) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  // Engines may run in their own sessions (the node adopts them after a restart): end the ones this
  // cluster started, found by its unique data directory in their command line.
  for (const p of findProcesses(dataDir)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await waitFor(() => findProcesses(dataDir).every((p) => !isAlive(p)), { timeoutMs: 10_000 }).catch(
    () => undefined,
  );
}

async function rest(method: string, path: string, body?: unknown): Promise<unknown> {
  if (!cluster) throw new Error('no cluster');
  const res = await fetch(`${cluster.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${cluster.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Screenshots of the current page at 1920 and 1280 px wide, back at 1280 afterwards. The window is made as
 * tall as the page (rather than a full-page capture) so the fixed sidebar spans the whole picture.
 */
async function shot(page: Page, name: string): Promise<void> {
  for (const width of [1920, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(400);
    const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
    await page.setViewportSize({ width, height: Math.min(4000, Math.max(900, height)) });
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function login(page: Page, user: { username: string; password: string }): Promise<void> {
  if (!new URL(page.url()).pathname.startsWith('/login')) await page.goto(`${cluster?.base}/login`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu').waitFor();
}

async function logout(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

/** A link of the sidebar navigation (page content may hold links with the same name). */
function nav(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true });
}

/** Opens the "More" group of the sidebar unless it is open already. */
async function openMore(page: Page): Promise<void> {
  if (!(await nav(page, 'Model Catalog').isVisible())) await page.getByTestId('nav-more').click();
  await nav(page, 'Model Catalog').waitFor();
}

/** Waits for the model's state badge (inside `scope`) to read `state`. */
async function waitState(scope: Locator, state: string, timeout: number): Promise<void> {
  await scope.locator(`[data-state="${state}"]`).first().waitFor({ timeout });
}

describe('web console (browser, real nebula up)', () => {
  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist/web/index.html')))
      throw new Error('dist/web is missing: run `npm run build` before this suite');
    mkdirSync(SHOTS, { recursive: true });
    data = tempDir('nebula-web-e2e-');
    profile = tempDir('nebula-web-e2e-chromium-');
    hub = await startFakeHub();
    cluster = await startCluster(data.path, hub.url);
    await rest('POST', '/api/v2/auth/users', { ...ADMIN, role: 'admin' });
    await rest('POST', '/api/v2/auth/users', { ...VIEWER, role: 'viewer' });
    context = await chromium.launchPersistentContext(profile.path, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    context.setDefaultTimeout(30_000);
  }, 180_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (cluster && data) await stopCluster(cluster, data.path);
    await hub?.stop().catch(() => undefined);
    data?.cleanup();
    profile?.cleanup();
  }, 60_000);

  it('imports from the catalog, serves, chats, scales, stops and deletes; viewers see no write buttons', async () => {
    const page = context?.pages()[0] ?? (await context!.newPage());
    const consoleErrors: string[] = [];
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    // The console runs under its Content-Security-Policy: anything it blocks shows up here.
    const cspViolations: string[] = [];
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) cspViolations.push(m.text());
    });
    try {
      // Login (an unknown session lands on the login page).
      const doc = await page.goto(`${cluster!.base}/models`);
      // Security headers on the console document.
      const h = doc?.headers() ?? {};
      expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(h['content-security-policy']).toMatch(/script-src 'self'(;|$)/);
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['referrer-policy']).toBe('no-referrer');
      await page.waitForURL(/\/login\?next=%2Fmodels$/);
      await shot(page, '01-login');
      await login(page, ADMIN);
      await page.waitForURL(/\/models$/);
      await expect(page.getByTestId('user-role').textContent()).resolves.toBe('admin');

      // The session is an HttpOnly, SameSite=Strict cookie: no token in localStorage or document.cookie.
      const cookies = await context!.cookies();
      const sessionCookie = cookies.find((c) => c.name === 'nebula_session');
      expect(sessionCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api' });
      expect(cookies.find((c) => c.name === 'nebula_csrf')).toMatchObject({ httpOnly: false, sameSite: 'Strict' });
      const stored = String(await page.evaluate('JSON.stringify(Object.entries(localStorage))'));
      expect(stored).toContain(ADMIN.username);
      expect(stored).not.toContain(sessionCookie?.value ?? 'no session cookie');
      expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]+\./);
      expect(String(await page.evaluate('document.cookie'))).not.toContain('nebula_session');
      // The cookie authenticates API calls; a write with it but without the CSRF header is refused.
      const me = await page.request.get(`${cluster!.base}/api/v2/auth/whoami`);
      expect(me.status()).toBe(200);
      expect(me.headers()['content-security-policy']).toMatch(/^default-src 'none'/);
      expect(me.headers()['x-content-type-options']).toBe('nosniff');
      const forged = await page.request.post(`${cluster!.base}/api/v2/auth/api-keys`, { data: { name: 'csrf' } });
      expect(forged.status()).toBe(403);

      // Overview: nodes and GPUs from the simulated node.
      await nav(page, 'Overview').click();
      await page.getByTestId('stat-gpus').getByText('2', { exact: true }).waitFor({ timeout: 60_000 });
      await page.getByTestId('gpu-panel').waitFor();
      await shot(page, '02-overview');

      // Model Catalog under More: search the fake hub, import the small model with the simulator.
      await openMore(page);
      await nav(page, 'Model Catalog').click();
      await page.getByTestId('downloaded-models').waitFor();
      await page.getByLabel('Search the hub').fill('tiny');
      const hubRow = page.getByTestId(`hub-row-${HUB_MODEL}`);
      await hubRow.waitFor({ timeout: 30_000 });
      await shot(page, '03-catalog-search');
      await hubRow.getByRole('button', { name: `Download ${HUB_MODEL}` }).click();
      const dialog = page.getByRole('dialog', { name: 'Download model' });
      await expect(dialog.getByLabel('Model UID').inputValue()).resolves.toBe(UID);
      await dialog.getByRole('textbox', { name: 'Engine' }).click();
      await page.getByRole('option', { name: 'Simulator' }).click();
      await shot(page, '04-catalog-import-form');
      await dialog.getByRole('button', { name: 'Download' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // The new model shows under Downloaded models and reaches running (the page refreshes every 10 s).
      const row = page.getByTestId(`downloaded-row-${UID}`);
      await row.waitFor({ timeout: 30_000 });
      await waitState(row, 'running', 180_000);
      await shot(page, '05-catalog-running');

      // Model detail: spec, endpoints, cache; live logs over SSE.
      await row.getByRole('button', { name: `Details of ${UID}` }).click();
      await page.waitForURL(new RegExp(`/models/${UID}$`));
      await page.getByTestId('endpoints-card').getByText('ready').first().waitFor({ timeout: 30_000 });
      await shot(page, '06-model-detail');
      await page.getByRole('tab', { name: 'Logs' }).click();
      const logs = page.getByTestId('log-viewer');
      await logs.getByText('live').waitFor({ timeout: 30_000 });
      await waitFor(
        async () => {
          const text = (await logs.locator('.nb-logs').innerText()).trim();
          return text !== '' && !text.startsWith('Connecting') && !text.startsWith('No output yet');
        },
        { timeoutMs: 30_000, what: 'engine log lines in the log viewer' },
      );
      await shot(page, '07-model-logs');

      // Playground: a streamed reply from the running model.
      await nav(page, 'Playground').click();
      // The only running model is picked by itself once the list has loaded.
      await waitFor(async () => (await page.getByTestId('playground-model').inputValue()) === UID, {
        timeoutMs: 20_000,
        what: 'the playground to pick the model',
      });
      await page.getByLabel('Message').fill('Say hello to the Nebula console test.');
      await page.getByRole('button', { name: 'Send' }).click();
      const reply = page.getByTestId('assistant-message').last();
      await page.getByText(/tokens · TTFT/).waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('chat-error').count()).toBe(0);
      expect((await reply.innerText()).trim().length).toBeGreaterThan(0);
      await shot(page, '08-playground');

      // The overview charts now have traffic to show.
      await nav(page, 'Overview').click();
      // Both charts draw their series (an area for the rate, lines for latency) once two polls are in.
      const charts = page.getByTestId('traffic-charts');
      await waitFor(
        async () =>
          (await charts.locator('path.recharts-area-curve[d^="M"]').count()) > 0 &&
          (await charts.locator('path.recharts-line-curve[d^="M"]').count()) > 0,
        { timeoutMs: 30_000, what: 'the traffic charts to draw their series' },
      );
      await shot(page, '08b-overview-traffic');

      // Scale to 2 replicas from the models list; both become ready.
      await nav(page, 'Models').click();
      const modelRow = page.getByTestId(`model-row-${UID}`);
      await modelRow.getByRole('button', { name: `Scale ${UID}` }).click();
      const scale = page.getByRole('dialog', { name: `Scale ${UID}` });
      await scale.getByLabel('Replicas').fill('2');
      await scale.getByRole('button', { name: 'Scale' }).click();
      await scale.waitFor({ state: 'hidden' });
      await modelRow.getByText('2/2').waitFor({ timeout: 120_000 });
      await waitState(modelRow, 'running', 60_000);
      await shot(page, '09-models-scaled');

      // Stop (with confirmation) on the detail page.
      await modelRow.click();
      await page.waitForURL(new RegExp(`/models/${UID}$`));
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
      await page
        .getByRole('dialog', { name: `Stop ${UID}?` })
        .getByRole('button', { name: 'Stop model' })
        .click();
      await waitState(page.locator('main'), 'stopped', 90_000);
      await shot(page, '10-model-stopped');

      // Delete (with confirmation): back to an empty models list.
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page
        .getByRole('dialog', { name: `Delete ${UID}?` })
        .getByRole('button', { name: 'Delete model' })
        .click();
      await page.waitForURL(/\/models$/);
      await page.getByText('No models yet').waitFor({ timeout: 30_000 });
      const models = (await rest('GET', '/api/v2/models')) as { items: unknown[] };
      expect(models.items).toEqual([]);

      // The admin pages render.
      await openMore(page);
      await nav(page, 'Users').click();
      await page.getByTestId(`user-row-${VIEWER.username}`).waitFor();
      await nav(page, 'API keys').click();
      await page.getByRole('button', { name: 'New key' }).click();
      const keyDialog = page.getByRole('dialog', { name: 'New API key' });
      await keyDialog.getByRole('textbox', { name: 'Name' }).fill('e2e-ci');
      await keyDialog.getByRole('button', { name: 'Create key' }).click();
      expect(await page.getByTestId('new-key-secret').innerText()).toMatch(/^nbk_/);
      await shot(page, '11a-api-key-created');
      await page.getByRole('button', { name: 'I have stored the key' }).click();
      await page.getByTestId('keys-table').getByText('e2e-ci').waitFor();
      expect(await page.getByTestId('new-key-secret').count()).toBe(0);
      await nav(page, 'Audit log').click();
      await page.getByTestId('audit-table').getByText('catalog.import').first().waitFor();
      await shot(page, '11-audit');
      await nav(page, 'Templates').click();
      await page.getByTestId('templates-table').or(page.getByTestId('empty-state')).first().waitFor();
      await shot(page, '11b-templates');
      await nav(page, 'Nodes').click();
      await page.locator('[data-testid^="node-card-"] a').first().click();
      await page.getByTestId('node-gpus').waitFor();
      await shot(page, '11c-node-detail');

      // A viewer sees the same pages without a single write button.
      await logout(page);
      await login(page, VIEWER);
      await expect(page.getByTestId('user-role').textContent()).resolves.toBe('viewer');
      await page.goto(`${cluster!.base}/models`);
      await page.getByText('No models yet').waitFor();
      expect(await page.getByRole('button', { name: 'Load model' }).count()).toBe(0);
      await nav(page, 'Templates').click();
      await page.getByTestId('templates-table').or(page.getByTestId('empty-state')).first().waitFor();
      expect(await page.getByRole('button', { name: /New template|Deploy/ }).count()).toBe(0);
      await nav(page, 'Nodes').click();
      await page.locator('[data-testid^="node-card-"]').first().waitFor();
      await shot(page, '12a-viewer-nodes');
      expect(await page.getByRole('button', { name: /Cordon|Uncordon|Drain/ }).count()).toBe(0);
      await openMore(page);
      expect(await nav(page, 'Users').count()).toBe(0);
      await nav(page, 'Model Catalog').click();
      await page.getByTestId(`hub-row-${HUB_MODEL}`).or(page.getByTestId('search-results')).first().waitFor();
      expect(await page.getByRole('button', { name: /^Download / }).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Delete / }).count()).toBe(0);
      await shot(page, '12b-viewer-catalog');
      expect(consoleErrors).toEqual([]);
      expect(cspViolations).toEqual([]);
    } catch (err) {
      await page.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true }).catch(() => undefined);
      throw new Error(
        `${err instanceof Error ? err.message : String(err)}\n--- page errors ---\n${consoleErrors.join('\n')}\n--- nebula up output (tail) ---\n${cluster?.output().slice(-4000) ?? ''}`,
        { cause: err },
      );
    }
  }, 600_000);
});
