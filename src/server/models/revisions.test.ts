import { describe, expect, it } from 'vitest';
import { Endpoint, ModelSpec, PlacementPlan, type ModelDeployment } from '../../core/domain/index.js';
import { replicasCurrent } from '../aggregation/model-view.js';
import {
  canonicalJson,
  changedSpecFields,
  diffSpecs,
  REVISION_FIELDS,
  revisionNumbersOf,
} from './revisions.js';
import { specFor } from '../../../test/server/fixtures.js';

const at = '2026-01-01T00:00:00.000Z';
const spec = ModelSpec.parse({
  ...specFor('m', 'org/m'),
  engine_config: { extra_args: ['--a'], env: { X: '1' } },
  created_at: at,
  updated_at: at,
});

describe('revisions (pure)', () => {
  it('tracks every client field and none of the server-owned ones', () => {
    expect(REVISION_FIELDS).toContain('engine_config');
    expect(REVISION_FIELDS).not.toContain('facts');
    expect(REVISION_FIELDS).not.toContain('updated_at');
  });

  it('changed fields ignore timestamps, facts and key order', () => {
    const later = { ...spec, updated_at: '2026-02-01T00:00:00.000Z' };
    expect(changedSpecFields(spec, later)).toEqual([]);
    const reordered = { ...spec, engine_config: { env: { X: '1' }, extra_args: ['--a'] } } as ModelSpec;
    expect(changedSpecFields(spec, reordered)).toEqual([]);
    const changed = {
      ...spec,
      engine_config: { ...spec.engine_config, extra_args: ['--b'] },
      description: 'd',
    };
    expect(changedSpecFields(spec, changed)).toEqual(['engine_config', 'description']);
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  it('diffs to the leaves, arrays whole, absent as null', () => {
    const after = {
      ...spec,
      engine_config: { ...spec.engine_config, extra_args: ['--a', '--b'], env: { Y: '2' } },
      labels: { t: 'x' },
    };
    expect(diffSpecs(spec, after)).toEqual([
      { path: 'engine_config.env.X', before: '1', after: null },
      { path: 'engine_config.env.Y', before: null, after: '2' },
      { path: 'engine_config.extra_args', before: ['--a'], after: ['--a', '--b'] },
      { path: 'labels.t', before: null, after: 'x' },
    ]);
    expect(diffSpecs(undefined, spec).map((d) => d.path)).toContain('model_name');
  });

  it('reads revision numbers from keys, ignoring others', () => {
    expect(
      revisionNumbersOf([
        '/model_revisions/m/00000010',
        '/model_revisions/m/00000002',
        '/model_revisions/m/x',
      ]),
    ).toEqual([2, 10]);
  });

  it('counts ready replicas on the current revision (endpoint, else assignment, else plan)', () => {
    const ep = (replica_id: number, status: Endpoint['status'], revision?: number) =>
      Endpoint.parse({
        model_uid: 'm',
        replica_id,
        node_id: 'n',
        address: '127.0.0.1',
        port: 40000 + replica_id,
        engine_type: 'vllm',
        served_model_name: 'm',
        status,
        plan_version: 1,
        ...(revision ? { revision } : {}),
        updated_at: at,
      });
    const plan = PlacementPlan.parse({
      model_uid: 'm',
      plan_version: 1,
      source: 'deployment',
      generation: 1,
      spec,
      revision: 2,
      assignments: [
        { replica_id: 2, node_id: 'n', gpu_indices: [], gpu_memory_bytes: 0, port: 40002, revision: 3 },
      ],
      unplaced: null,
      updated_at: at,
    });
    const dep = { spec_revision: 3 } as ModelDeployment;
    const eps = [ep(0, 'ready', 3), ep(1, 'ready', 2), ep(2, 'ready'), ep(3, 'starting', 3), ep(4, 'ready')];
    // 0 (own revision 3) and 2 (its assignment's 3); 4 runs the plan's revision 2
    expect(replicasCurrent(dep, plan, eps)).toBe(2);
    expect(replicasCurrent(undefined, plan, eps)).toBe(4);
  });
});
