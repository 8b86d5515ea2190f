import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assignment, plan, simSpec } from '../../../test/node/fixtures.js';
import { desiredReplicas } from './desired.js';
import { planAdoption, readStateFile, writeStateFile, type ReplicaRecord } from './node-state.js';

const p = plan(simSpec('m1'), 5, [assignment(0, 'n1', 40001), assignment(1, 'n1', 40002)]);
const desired = desiredReplicas([p], 'n1');
const fp = (k: string) => desired.get(k)?.fingerprint ?? '';

function rec(over: Partial<ReplicaRecord>): ReplicaRecord {
  return {
    model_uid: 'm1',
    replica_id: 0,
    pid: 100,
    start_time: 5000,
    port: 40001,
    fingerprint: fp('m1/0'),
    plan_version: 5,
    restarts: 0,
    ...over,
  };
}

describe('planAdoption', () => {
  const alive = new Set(['100:5000', '101:6000', '102:7000']);
  const isAlive = (pid: number, st: number) => alive.has(`${pid}:${st}`);

  it('adopts live processes that are still planned with the same launch', () => {
    const r = planAdoption(
      [rec({}), rec({ replica_id: 1, pid: 101, start_time: 6000, port: 40002, fingerprint: fp('m1/1') })],
      desired,
      isAlive,
    );
    expect(r.adopt.map((x) => x.replica_id)).toEqual([0, 1]);
    expect(r.kill).toEqual([]);
  });

  it('does not adopt a recycled pid (same pid, other start time)', () => {
    const r = planAdoption([rec({ start_time: 4999, restarts: 2 })], desired, isAlive);
    expect(r.adopt).toEqual([]);
    expect(r.kill).toEqual([]);
    expect(r.carry.map((x) => x.restarts)).toEqual([2]);
  });

  it('kills live processes no longer planned or launched differently', () => {
    const r = planAdoption(
      [
        rec({ model_uid: 'gone', pid: 101, start_time: 6000 }),
        rec({ fingerprint: 'old', pid: 102, start_time: 7000 }),
      ],
      desired,
      isAlive,
    );
    expect(r.kill.map((x) => x.pid)).toEqual([101, 102]);
    expect(r.adopt).toEqual([]);
    expect(r.carry).toEqual([]);
  });

  it('never adopts two processes for one replica', () => {
    const r = planAdoption([rec({}), rec({ pid: 101, start_time: 6000 })], desired, isAlive);
    expect(r.adopt.map((x) => x.pid)).toEqual([100]);
    expect(r.kill.map((x) => x.pid)).toEqual([101]);
  });

  it('keeps a force-stop hold until the plan changes', () => {
    const held = rec({
      pid: undefined,
      start_time: undefined,
      held: { plan_version: 5, reason: 'force-stopped by operator' },
    });
    expect(planAdoption([held], desired, isAlive).carry).toEqual([held]);
    // A live process that should be held is stopped, not adopted.
    const heldAlive = rec({ held: { plan_version: 5, reason: 'x' } });
    expect(planAdoption([heldAlive], desired, isAlive).kill).toEqual([heldAlive]);
    // Newer plan: the hold no longer applies, the live process is adopted.
    const newer = desiredReplicas([plan(simSpec('m1'), 6, [assignment(0, 'n1', 40001)])], 'n1');
    expect(planAdoption([heldAlive], newer, isAlive).adopt).toEqual([heldAlive]);
  });

  it('forgets dead processes no longer planned', () => {
    const r = planAdoption([rec({ model_uid: 'gone', pid: 999, start_time: 1 })], desired, isAlive);
    expect(r).toEqual({ adopt: [], kill: [], carry: [] });
  });
});

describe('state file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips, and reports bad files instead of throwing', () => {
    dir = mkdtempSync(join(tmpdir(), 'nebula-state-'));
    const path = join(dir, 'sub', 'node-state.json');
    expect(readStateFile(path)).toEqual({ records: [] });
    writeStateFile(path, 'n1', [rec({ log_path: '/x/0.log', restarts: 3 })]);
    expect(readStateFile(path)).toEqual({
      records: [rec({ log_path: '/x/0.log', restarts: 3 })],
      nodeId: 'n1',
    });
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
    writeFileSync(path, '{"version":1');
    expect(readStateFile(path).error).toMatch(/not JSON/);
    writeFileSync(
      path,
      JSON.stringify({ version: 1, node_id: 'n1', updated_at: 'x', replicas: [{ model_uid: 'BAD' }] }),
    );
    expect(readStateFile(path).records).toEqual([]);
    expect(readStateFile(path).error).toBeDefined();
  });
});
