/**
 * A store file damaged behind the server's back (finding 5 of the hardening run): requests that hit the
 * damage answer 503 STORE_UNAVAILABLE instead of 500, and /healthz, /api/health and /metrics turn red
 * instead of staying green.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { createApp, type NebulaApp } from '../../src/server/app.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';
import { makeApp } from './helpers.js';

describe('store faults reach health', () => {
  const dir = tempDir('nebula-store-health-');
  const path = join(dir.path, 'store.db');
  let store: Store;
  let app: NebulaApp;
  let adminToken = '';

  beforeAll(async () => {
    const t = await makeApp({}, { store: await openEmbeddedStore({ path, autoCompact: false }) });
    adminToken = t.tokens.admin;
    for (let i = 0; i < 400; i++) {
      await t.store.put(`/templates/t${i}`, JSON.stringify({ pad: 'x'.repeat(500), i }));
    }
    await t.close();
    // Random bytes over a leaf page of the key table (found with SQLite's dbstat), then opened without the
    // start-up check, as a file damaged while the server runs would be.
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const leaves = db
      .prepare("SELECT pageno FROM dbstat WHERE name = 'kv' AND pagetype = 'leaf' ORDER BY pageno")
      .all() as { pageno: number }[];
    db.close();
    const page = leaves[Math.floor(leaves.length / 2)]?.pageno ?? 0;
    expect(page).toBeGreaterThan(1);
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
    closeSync(fd);
    store = await openEmbeddedStore({ path, autoCompact: false, integrityCheck: false });
    app = await createApp(
      { store, logger: silentLogger() },
      { rateLimit: false, loginRateLimit: false, webDir: '/nonexistent-web-dir', env: {} },
    );
  });
  afterAll(async () => {
    await app?.context.views.stop();
    await store?.close();
    dir.cleanup();
  });

  it('answers 503 where the damage is hit, then /healthz, /api/health and /metrics report the store error', async () => {
    expect((await app.request('/healthz')).status).toBe(200);
    const backup = await app.request('/api/v2/admin/backup', {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(backup.status).toBe(503);
    expect(((await backup.json()) as { error: { code: string } }).error.code).toBe('STORE_UNAVAILABLE');

    const hz = await app.request('/healthz');
    expect(hz.status).toBe(503);
    const body = (await hz.json()) as { status: string; store_error?: string };
    expect(body.status).toBe('unavailable');
    expect(body.store_error).toMatch(/^SQLITE_CORRUPT/);

    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/^nebula_server_store_healthy({[^}]*})? 0$/m);
    expect(metrics).toMatch(/^nebula_server_store_file_errors({[^}]*})? [1-9]/m);

    const health = await app.request('/api/health', { headers: { authorization: `Bearer ${adminToken}` } });
    if (health.status === 200) {
      const h = (await health.json()) as {
        status: string;
        store: { ok: boolean; error: string };
        issues: { message: string }[];
      };
      expect(h.status).toBe('degraded');
      expect(h.store.ok).toBe(false);
      expect(h.store.error).toMatch(/SQLITE_CORRUPT/);
      expect(h.issues.map((i) => i.message).join('\n')).toMatch(/store error: SQLITE_CORRUPT/);
    } else {
      // The credential lookup itself met the damage: refused as unavailable, not as an internal error.
      expect(health.status).toBe(503);
    }
  });
});
