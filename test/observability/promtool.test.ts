import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { waitFor } from '../helpers/ports.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { documentedMetrics, promtool, sampleValue, scrapedLabels, scrapedTypes } from './metrics-doc.js';

const ROLES = ['scheduler', 'node', 'router', 'server'] as const;
type Role = (typeof ROLES)[number];

/**
 * Every role's /metrics, scraped from the real listeners after a little traffic: valid for
 * `promtool check metrics`, all `nebula_*`, and exactly what docs/metrics.md lists.
 */
describe('/metrics of every role', () => {
  let cluster: TestCluster;
  const scrapes = new Map<Role, string>();

  beforeAll(async () => {
    cluster = await startTestCluster();
    // Traffic, so labelled series have samples (a chat through the router, calls to the server).
    const chat = await fetch(`${cluster.urls.router}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'static-sim',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 4,
        stream: true,
      }),
    });
    await chat.text();
    const api = createClient({ baseUrl: cluster.urls.server, token: cluster.adminKey });
    await api.v1.health();
    // A running model that cannot fit (1000 GiB per GPU): wanted 2, placed 0, ready 0.
    await api.models.create({
      model_uid: 'huge',
      model_name: 'sim/huge',
      model_source: 'huggingface',
      engine_type: 'sim',
      resources: { gpu_count: 1, gpu_memory_gib: 1000 },
      replicas: 2,
      auto_start: true,
    });
    await waitFor(
      async () => {
        const t = await (await fetch(`${cluster.urls.scheduler}/metrics`)).text();
        return sampleValue(t, 'nebula_scheduler_unplaceable_replicas') === 2;
      },
      { what: 'the scheduler to report 2 unplaceable replicas' },
    );
    await createClient({ baseUrl: cluster.urls.server, token: 'nbk_wrong' })
      .v1.health()
      .catch(() => undefined);
    for (const role of ROLES) {
      const res = await fetch(`${cluster.urls[role]}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      scrapes.set(role, await res.text());
    }
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it.each(ROLES)('%s: promtool check metrics accepts it', async (role) => {
    const text = scrapes.get(role) ?? '';
    expect(text).toContain(`nebula_${role}_`);
    const r = await promtool(['check', 'metrics'], text);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('promtool does reject a bad exposition (the check can fail)', async () => {
    const r = await promtool(['check', 'metrics'], '# HELP x_total a\n# TYPE x_total gauge\nx_total 1\n');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/_total/);
  });

  it('every name is nebula_*, documented with its type and labels; every documented name is served', () => {
    const doc = documentedMetrics();
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const role of ROLES) {
      const text = scrapes.get(role) ?? '';
      const types = scrapedTypes(text);
      for (const [name, type] of types) {
        expect(name).toMatch(/^nebula_/);
        const d = doc.get(name);
        if (!d) {
          missing.push(`${role}: ${name}`);
          continue;
        }
        if (d.type !== type) wrong.push(`${name}: documented ${d.type}, served ${type}`);
        if (d.role !== role && d.role !== 'all')
          wrong.push(`${name}: documented for ${d.role}, served by ${role}`);
        const labels = [...scrapedLabels(text, name)].filter((l) => !d.labels.includes(l));
        if (labels.length > 0) wrong.push(`${name}: undocumented labels ${labels.join(', ')}`);
      }
      for (const d of doc.values()) {
        if ((d.role === role || d.role === 'all') && !types.has(d.name)) {
          wrong.push(`${d.name}: documented for ${d.role} but not served by ${role}`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
  });

  it('reports what the roles see: leader, GPUs, disk, engines by state, traffic, models', () => {
    const at = (role: Role, name: string, labels: Record<string, string> = {}) =>
      sampleValue(scrapes.get(role) ?? '', name, { role, ...labels });
    expect(at('node', 'nebula_node_gpu_memory_total_bytes', { gpu: '1' })).toBe(80 * 2 ** 30);
    expect(at('node', 'nebula_node_gpu_utilization_ratio', { gpu: '0' })).toBe(0);
    expect(at('node', 'nebula_node_disk_total_bytes')).toBeGreaterThan(0);
    const usage = at('node', 'nebula_node_disk_usage_ratio') ?? -1;
    expect(usage).toBeGreaterThan(0);
    expect(usage).toBeLessThanOrEqual(1);
    expect(at('node', 'nebula_node_engines', { state: 'ready' })).toBe(0);
    expect(at('node', 'nebula_node_download_bytes_total', { source: 'huggingface' })).toBe(0);
    const chat = { model: 'static-sim', status: '200', route: 'chat' };
    expect(at('router', 'nebula_router_requests_total', chat)).toBe(1);
    expect(at('router', 'nebula_router_time_to_first_token_seconds_count', { model: 'static-sim' })).toBe(1);
    const health = { route: '/api/health', method: 'GET', status: '200' };
    expect(at('server', 'nebula_server_requests_total', health)).toBe(1);
    expect(at('server', 'nebula_server_auth_failures_total', { reason: 'invalid_token' })).toBe(1);
    expect(at('server', 'nebula_server_models', { state: 'running' })).toBe(0);
    expect(at('server', 'nebula_server_models', { state: 'failed' })).toBe(1);
    expect(at('server', 'nebula_server_model_desired_replicas', { model_uid: 'huge' })).toBe(2);
    expect(at('server', 'nebula_server_model_ready_replicas', { model_uid: 'huge' })).toBe(0);
    expect(at('scheduler', 'nebula_scheduler_is_leader')).toBe(1);
    expect(at('scheduler', 'nebula_scheduler_unplaceable_replicas')).toBe(2);
  });
});
