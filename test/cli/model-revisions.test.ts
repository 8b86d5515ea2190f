import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint, ModelSpec, PlacementPlan, type RolloutStatus } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson, putJson } from '../../src/store/json.js';
import { tempDir } from '../helpers/tmp.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

/** The scheduler's and the node's part of a rollout, written as they would (no processes here). */
async function putRollout(
  srv: TestServer,
  uid: string,
  revision: number,
  rollout: Omit<RolloutStatus, 'started_at'>,
  endpointRevision: number,
): Promise<void> {
  const spec = await getJson(srv.store, keys.modelSpec(uid), ModelSpec);
  if (!spec) throw new Error(`no spec for ${uid}`);
  const now = new Date().toISOString();
  await putJson(srv.store, keys.placement(uid), PlacementPlan, {
    model_uid: uid,
    plan_version: revision,
    source: 'deployment',
    generation: 1,
    spec: spec.value,
    revision,
    rollout: { ...rollout, started_at: now },
    assignments: [{ replica_id: 0, node_id: 'node-a', gpu_indices: [], gpu_memory_bytes: 0, port: 40000 }],
    unplaced: null,
    updated_at: now,
  });
  await putJson(srv.store, keys.endpoint(uid, 0), Endpoint, {
    model_uid: uid,
    replica_id: 0,
    node_id: 'node-a',
    address: '127.0.0.1',
    port: 40000,
    engine_type: 'sim',
    served_model_name: uid,
    status: 'ready',
    plan_version: revision,
    revision: endpointRevision,
    gpu_indices: [],
    restarts: 0,
    updated_at: now,
  });
}

describe('nebula model history / rollback / rollout / update', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-rev-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey });
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  it('update makes revisions; history lists them, shows one, and diffs', async () => {
    expect(
      (await cli(['model', 'create', '--name', 'demo/rev', '--uid', 'rev', '--engine', 'sim'])).code,
    ).toBe(0);
    const up = await cli(['model', 'update', 'rev', '--arg', '--ttft-ms=20', '--description', 'faster']);
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(up.stdout).toContain('Model rev updated');
    const noop = await cli(['model', 'update', 'rev', '--description', 'faster', '-o', 'json']);
    expect(JSON.parse(noop.stdout).revision).toBe(2);

    const table = await cli(['model', 'history', 'rev']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^REVISION\s+AGE\s+BY\s+CAUSE\s+CHANGED/);
    expect(lines[1]).toMatch(/^2 \*\s+\S+\s+key:[0-9a-f]+\s+update\s+engine_config, description/);
    expect(lines[2]).toMatch(/^1\s+\S+\s+key:[0-9a-f]+\s+create/);
    expect(lines).toHaveLength(3);

    const json = JSON.parse((await cli(['model', 'history', 'rev', '-o', 'json'])).stdout);
    expect(json.map((r: { revision: number }) => r.revision)).toEqual([2, 1]);

    const one = await cli(['model', 'history', 'rev', '--revision', '1', '-o', 'json']);
    expect(JSON.parse(one.stdout).spec.engine_config.extra_args).toEqual([]);

    const diff = await cli(['model', 'history', 'rev', '--revision', '2', '--diff']);
    expect(diff.stdout).toBe(
      'revision 2 against 1:\n  engine_config.extra_args: [] -> ["--ttft-ms=20"]\n  description: - -> faster\n',
    );
    const bad = await cli(['model', 'history', 'rev', '--revision', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--revision must be a revision number');
    const missing = await cli(['model', 'history', 'rev', '--revision', '7']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no revision 7');
  });

  it('rollback restores the previous revision as a new one; refuses what would change nothing', async () => {
    const rb = await cli(['model', 'rollback', 'rev', '-m', 'too fast']);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toBe(
      'Model rev rolled back to revision 1 (now revision 3: engine_config, description).\n',
    );
    const again = await cli(['model', 'rollback', 'rev', '--to', '1']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('nothing to roll back');
    const history = JSON.parse((await cli(['model', 'history', 'rev', '-o', 'json'])).stdout);
    expect(history[0]).toMatchObject({ revision: 3, cause: 'rollback', rollback_of: 1, message: 'too fast' });
  });

  it('rollout pause / resume', async () => {
    const p = await cli(['model', 'rollout', 'pause', 'rev']);
    expect(p).toMatchObject({ code: 0, stdout: 'Rollout of rev paused.\n' });
    const r = await cli(['model', 'rollout', 'resume', 'rev', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ paused: false, revision: 3 });
  });

  it('rollout flags on update are validated before anything is sent', async () => {
    const both0 = await cli(['model', 'update', 'rev', '--max-surge', '0', '--max-unavailable', '0']);
    expect(both0.code).toBe(2);
    const dur = await cli(['model', 'update', 'rev', '--progress-deadline', 'soon']);
    expect(dur.code).toBe(2);
    expect(dur.stderr).toContain('--progress-deadline must be a duration');
    const ok = await cli([
      'model',
      'update',
      'rev',
      '--max-surge',
      '1',
      '--progress-deadline',
      '15m',
      '-o',
      'json',
    ]);
    expect(JSON.parse(ok.stdout).deployment.rollout).toMatchObject({
      max_surge: 1,
      progress_deadline_seconds: 900,
    });
  });

  it('update --wait follows the rollout: done when complete, non-zero with the reason when rolled back', async () => {
    expect((await cli(['model', 'start', 'rev'])).code).toBe(0);
    // revision 4 will be rolled out; the scheduler has finished it and the replica runs it
    await putRollout(
      srv,
      'rev',
      4,
      { from_revision: 3, to_revision: 4, phase: 'complete', updated_ready: 1, wanted: 1 },
      4,
    );
    const done = await cli(['model', 'update', 'rev', '--description', 'r4', '--wait', '--timeout', '20s']);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('revision 4');
    expect(done.stderr).toContain('rev: revision 4 rolled out, replicas ready 1/1');

    await putRollout(
      srv,
      'rev',
      5,
      {
        from_revision: 4,
        to_revision: 5,
        phase: 'rolled_back',
        updated_ready: 0,
        wanted: 1,
        reason: 'replica 1 crashed 3 times at start',
      },
      4,
    );
    const failed = await cli(['model', 'update', 'rev', '--description', 'r5', '--wait', '--timeout', '20s']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(
      'rollout to revision 5 was rolled back: replica 1 crashed 3 times at start',
    );
  });
});
