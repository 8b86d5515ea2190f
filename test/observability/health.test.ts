import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { Endpoint, NodeStatus } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { encode } from '../../src/store/json.js';
import { cliFor } from '../cli/harness.js';
import { startTestServer, type TestServer } from '../cli/server-harness.js';
import { assignment, plan, simSpec } from '../node/fixtures.js';
import { putPlan } from '../node/store-helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestCluster, type TestCluster } from './cluster.js';

const SCRIPT = new URL('../../deploy/scripts/health-check.sh', import.meta.url).pathname;

function healthCheck(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Seed 001 §3.2 health signals through /api/health, `nebula status` and deploy/scripts/health-check.sh. */
describe('health signals of a troubled cluster', () => {
  let srv: TestServer;
  const home = tempDir('nebula-health-');

  beforeAll(async () => {
    srv = await startTestServer();
    const now = new Date().toISOString();
    const gpu = (index: number, used: number) => ({
      index,
      name: 'NVIDIA H100 80GB HBM3',
      memory_total_bytes: 80 * 2 ** 30,
      memory_used_bytes: used,
      utilization_percent: 40,
    });
    await srv.store.put(
      keys.nodeStatus('gpu-1'),
      encode(NodeStatus, {
        node_id: 'gpu-1',
        address: '10.0.0.11',
        admin_port: 9092,
        gpus: [gpu(0, 10 * 2 ** 30), gpu(1, 79 * 2 ** 30)],
        gpu_source: 'nvidia-smi',
        port_range: { start: 41000, end: 41010 },
        ports_in_use: [41001],
        labels: {},
        version: '0.1.0',
        started_at: now,
        heartbeat_at: now,
      }),
    );
    const spec = simSpec('qwen');
    await putPlan(srv.store, plan(spec, 3, [assignment(0, 'gpu-1', 41000), assignment(1, 'gpu-1', 41001)]));
    const ep = (replica_id: number, o: Partial<Endpoint>) =>
      encode(Endpoint, {
        model_uid: 'qwen',
        replica_id,
        node_id: 'gpu-1',
        address: '10.0.0.11',
        port: 41000 + replica_id,
        engine_type: 'sim',
        served_model_name: 'qwen',
        status: 'ready',
        plan_version: 3,
        restarts: 0,
        updated_at: now,
        ...o,
      });
    await srv.store.put(
      keys.endpoint('qwen', 0),
      ep(0, { status: 'failed', restarts: 5, last_error: 'CUDA out of memory' }),
    );
    await srv.store.put(keys.endpoint('qwen', 1), ep(1, { status: 'starting', plan_version: 2 }));
  });
  afterAll(async () => {
    await srv?.stop();
    home.cleanup();
  });

  it('/api/health reports port conflicts, failing engines, GPUs and plan lag, and is degraded', async () => {
    const h = await createClient({ baseUrl: srv.url, token: srv.adminKey }).v1.health();
    expect(h.status).toBe('degraded');
    expect(h.port_conflicts).toEqual([
      { node_id: 'gpu-1', port: 41001, model_uid: 'qwen', replica_id: 1, kind: 'foreign_process' },
    ]);
    expect(h.engines).toMatchObject({ total: 2, by_status: { failed: 1, starting: 1 } });
    expect(h.engines.issues).toEqual([
      expect.objectContaining({
        replica_id: 0,
        status: 'failed',
        restarts: 5,
        crash_looping: true,
        last_error: 'CUDA out of memory',
      }),
    ]);
    expect(h.gpus.map((g) => [g.index, g.memory_pressure])).toEqual([
      [0, false],
      [1, true],
    ]);
    expect(h.plan_consistency.lagging).toHaveLength(1);
    const messages = h.issues.map((i) => `${i.severity}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'critical: port conflict: gpu-1:41001 (qwen/1) is used by a process Nebula did not start',
        'critical: engine qwen/0 on gpu-1 is crash-looping (5 restarts)',
        'warning: GPU gpu-1/1: memory 99% used',
        'warning: 1 replica(s) behind their plan_version',
      ]),
    );
  });

  it('nebula status shows them', async () => {
    const cli = cliFor(join(home.path, 'home'));
    const r = await cli(['status', '--server', srv.url, '--token', srv.adminKey]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Engines: +2 \(1 failed, 1 starting\); 1 crash-looping, 1 restarted$/m);
    expect(r.stdout).toMatch(/^GPU usage: +memory up to 99% \(gpu-1\/1\), utilisation 40% on average$/m);
    expect(r.stdout).toMatch(/^Ports: +1 conflict\(s\)$/m);
    expect(r.stdout).toMatch(/^ {2}critical {2}port conflict: gpu-1:41001/m);
  });

  it('health-check.sh exits 1 and prints the issues', async () => {
    const r = await healthCheck(['--server', srv.url, '--router', srv.url, '--token', srv.adminKey]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ok    server');
    expect(r.out).toContain('critical: engine qwen/0 on gpu-1 is crash-looping (5 restarts)');
    expect(r.out).toMatch(/FAIL {2}cluster health is degraded/);
  });
});

describe('health-check.sh on a healthy cluster', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('passes with every role, and fails when one is unreachable or the token is wrong', async () => {
    const args = [
      '--server',
      cluster.urls.server,
      '--router',
      cluster.urls.router,
      '--scheduler',
      cluster.urls.scheduler,
      '--node',
      cluster.urls.node,
    ];
    const ok = await healthCheck(args, { NEBULA_TOKEN: cluster.adminKey });
    expect(ok.out).toContain('ok    cluster health');
    expect(ok.out).toContain('ok    node');
    expect(ok.code).toBe(0);

    const dead = await healthCheck([...args, '--node', 'http://127.0.0.1:9'], {
      NEBULA_TOKEN: cluster.adminKey,
    });
    expect(dead.code).toBe(1);
    expect(dead.out).toContain('FAIL  node http://127.0.0.1:9/healthz answered 000');

    const badToken = await healthCheck([...args, '--token', 'nbk_nope']);
    expect(badToken.code).toBe(1);
    expect(badToken.out).toContain('/api/health answered 401');

    const usage = await healthCheck(['--bogus']);
    expect(usage.code).toBe(2);
  });
});
