import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { deploy, fakeNode, readPlan } from './helpers.js';

/**
 * The CLI is bundled from the TypeScript sources with esbuild (packages stay external, resolved from the
 * repo's node_modules) and run with plain node, so signals reach our handlers as they do in production
 * (vite-node installs its own SIGTERM handler).
 */
let bundleDir = '';
let bundle = '';

function run(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { ...process.env, NEBULA_ETCD: '', NEBULA_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('nebula scheduler (process)', () => {
  let etcd: EtcdProcess;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    mkdirSync(join('node_modules', '.cache'), { recursive: true });
    bundleDir = mkdtempSync(join('node_modules', '.cache', 'nebula-sched-cli-'));
    bundle = join(bundleDir, 'cli.mjs');
    execFileSync(join('node_modules', '.bin', 'esbuild'), [
      'test/scheduler/cli-entry.ts',
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--packages=external',
      `--outfile=${bundle}`,
      '--log-level=warning',
    ]);
    etcd = await startEtcd();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await etcd?.destroy();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it('refuses bad flags with one line and exit 2', async () => {
    const r = run(['scheduler']);
    children.push(r.child);
    expect(await r.exited).toBe(2);
    expect(r.output()).toMatch(/^error: --etcd \(or NEBULA_ETCD\) is required.*\(INVALID_CONFIG\)\n$/);
    const r2 = run(['scheduler', '--etcd', etcd.endpoint, '--grace-period', 'soon']);
    children.push(r2.child);
    expect(await r2.exited).toBe(2);
    expect(r2.output()).toContain('--grace-period: "soon" is not a duration');
  });

  it('runs against etcd from env, places a deployment, and exits 0 on SIGTERM after revoking its lease', async () => {
    const namespace = '/cli-1';
    const store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace });
    try {
      await fakeNode(store, 'n1');
      const port = await freePort();
      const r = run(
        [
          'scheduler',
          '--etcd-namespace',
          namespace,
          '--instance-id',
          'cli-a',
          '--metrics-port',
          String(port),
          '--host',
          '127.0.0.1',
          '--grace-period',
          '30s',
        ],
        {
          NEBULA_ETCD: etcd.endpoint,
        },
      );
      children.push(r.child);
      const health = await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
          const body = res?.ok ? ((await res.json()) as { leader: boolean }) : undefined;
          return body?.leader ? body : undefined;
        },
        { what: `scheduler /healthz (output: ${r.output()})`, timeoutMs: 30_000 },
      );
      expect(health).toMatchObject({ leader: true, instance_id: 'cli-a' });
      await deploy(store, 'cli-model', { replicas: 1 });
      await waitFor(async () => (await readPlan(store, 'cli-model'))?.assignments.length === 1, {
        what: 'plan',
      });
      expect(await store.get(keys.component('scheduler', 'cli-a'))).toBeDefined();

      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      // The lease was revoked: registration and leadership are gone at once, not after the TTL.
      expect(await store.get(keys.component('scheduler', 'cli-a'))).toBeUndefined();
      expect(await store.get(keys.leader('scheduler'))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
