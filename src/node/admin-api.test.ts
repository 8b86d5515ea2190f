import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../core/metrics.js';
import { createAdminApp } from './admin-api.js';
import type { ReplicaView } from './replica/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'nebula-admin-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function view(over: Partial<ReplicaView>): ReplicaView {
  return {
    model_uid: 'm1',
    replica_id: 0,
    model_name: 'm1',
    model_source: 'local',
    phase: 'ready',
    status: 'ready',
    pid: 123,
    port: 40001,
    gpu_indices: [],
    plan_version: 1,
    running_plan_version: 1,
    restarts: 0,
    adopted: false,
    last_error: undefined,
    started_at: undefined,
    ready_at: undefined,
    next_restart_at: undefined,
    log_path: undefined,
    held: false,
    ...over,
  };
}

const logDir = join(dataDir, 'logs', 'm1', '0');
mkdirSync(logDir, { recursive: true });
const log0 = join(logDir, '0.log');
const log1 = join(logDir, '1.log');
writeFileSync(log0, 'old launch\n');
writeFileSync(log1, Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n') + '\n');

const stops: [string, number | undefined][] = [];
const replicas = [view({ log_path: log1 }), view({ replica_id: 1, phase: 'backoff', status: 'failed' })];

function app(token?: string) {
  return createAdminApp({
    nodeId: 'n1',
    dataDir,
    token,
    registry: createMetricsRegistry({ role: 'node', processMetrics: false }),
    replicas: () => replicas,
    forceStop: async (uid, rid) => {
      stops.push([uid, rid]);
      return replicas
        .filter((r) => r.model_uid === uid && (rid === undefined || r.replica_id === rid))
        .map((r) => r.replica_id);
    },
    followPollMs: 20,
  });
}

describe('node admin API', () => {
  it('answers /healthz with engine counts', async () => {
    const res = await app().request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      node_id: 'n1',
      engines: { downloading: 0, starting: 0, ready: 1, draining: 0, failed: 1, stopping: 0 },
    });
  });

  it('requires the token on /admin/* when one is set, and compares it exactly', async () => {
    const a = app('tok-123');
    expect((await a.request('/admin/replicas')).status).toBe(401);
    expect(
      (await a.request('/admin/replicas', { headers: { authorization: 'Bearer tok-1234' } })).status,
    ).toBe(401);
    expect((await a.request('/admin/replicas', { headers: { authorization: 'Basic tok-123' } })).status).toBe(
      401,
    );
    const ok = await a.request('/admin/replicas', { headers: { authorization: 'Bearer tok-123' } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { replicas: unknown[] }).replicas).toHaveLength(2);
    // Health and metrics stay open for probes and Prometheus.
    expect((await a.request('/healthz')).status).toBe(200);
    expect((await a.request('/metrics')).status).toBe(200);
  });

  it('tails logs: current launch by default, a given launch, 404 when none', async () => {
    const a = app();
    const res = await a.request('/admin/models/m1/replicas/0/logs?tail=2');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('line 18\nline 19\n');
    expect(await (await a.request('/admin/models/m1/replicas/0/logs?restart=0')).text()).toBe('old launch\n');
    expect((await a.request('/admin/models/m1/replicas/7/logs')).status).toBe(404);
  });

  it('rejects bad ids and traversal attempts with 400/404, touching nothing', async () => {
    const a = app();
    for (const path of [
      '/admin/models/M1/replicas/0/logs',
      '/admin/models/..%2F..%2Fetc/replicas/0/logs',
      '/admin/models/m1/replicas/-1/logs',
      '/admin/models/m1/replicas/0/logs?tail=abc',
      '/admin/models/m1/replicas/0/logs?restart=..%2F1',
    ]) {
      const res = await a.request(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/^INVALID/);
    }
    expect((await a.request('/admin/models/m1/replicas/0/../../logs')).status).toBe(404);
    const n = stops.length;
    expect((await a.request('/admin/models/BAD_UID/stop', { method: 'POST' })).status).toBe(400);
    expect((await a.request('/admin/models/m1/stop?replica_id=x', { method: 'POST' })).status).toBe(400);
    expect(stops.length).toBe(n);
  });

  it('force-stops all local replicas of a model, or one', async () => {
    const a = app();
    const all = await a.request('/admin/models/m1/stop', { method: 'POST' });
    expect(all.status).toBe(200);
    expect(await all.json()).toMatchObject({ node_id: 'n1', model_uid: 'm1', stopped: [0, 1] });
    const one = await a.request('/admin/models/m1/stop?replica_id=1', { method: 'POST' });
    expect(await one.json()).toMatchObject({ stopped: [1] });
    expect(stops.slice(-2)).toEqual([
      ['m1', undefined],
      ['m1', 1],
    ]);
    const none = await a.request('/admin/models/other/stop', { method: 'POST' });
    expect(none.status).toBe(404);
  });

  it('follows a log as server-sent events', async () => {
    const res = await app().request('/admin/models/m1/replicas/0/logs?tail=1&follow=1');
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}: ${text}`);
        text += dec.decode(value);
      }
    };
    await readUntil('data: line 19');
    appendFileSync(log1, 'appended one\nappended ');
    await readUntil('data: appended one');
    expect(text).not.toContain('data: appended \n');
    appendFileSync(log1, 'two\n');
    await readUntil('data: appended two');
    expect(text).not.toContain('line 18');
    await reader.cancel();
  });
});
