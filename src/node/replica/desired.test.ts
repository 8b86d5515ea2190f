import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignment, plan, simSpec } from '../../../test/node/fixtures.js';
import { desiredReplicas } from './desired.js';
import { canonicalJson, launchFingerprint } from './fingerprint.js';

describe('launch fingerprint', () => {
  const spec = simSpec('m1');
  const a = assignment(0, 'n1', 40001);

  it('is stable and ignores descriptive fields and key order', () => {
    const fp = launchFingerprint(spec, a);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(
      launchFingerprint(
        { ...spec, description: 'new words', updated_at: '2027-01-01T00:00:00Z', labels: { a: 'b' } },
        a,
      ),
    ).toBe(fp);
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as typeof spec;
    expect(launchFingerprint(reordered, { ...a })).toBe(fp);
  });

  it('changes with anything that changes the launch', () => {
    const fp = launchFingerprint(spec, a);
    const variants = [
      launchFingerprint(spec, { ...a, port: 40002 }),
      launchFingerprint(spec, { ...a, gpu_indices: [1] }),
      launchFingerprint(spec, { ...a, gpu_memory_bytes: 1024 }),
      launchFingerprint({ ...spec, engine_config: { extra_args: ['--x'], env: {} } }, a),
      launchFingerprint({ ...spec, engine_config: { extra_args: [], env: { A: '1' } } }, a),
      launchFingerprint({ ...spec, served_model_name: 'other' }, a),
      launchFingerprint({ ...spec, revision: 'v2' }, a),
      launchFingerprint({ ...spec, engine_type: 'vllm' }, a),
      launchFingerprint({ ...spec, model_path: '/models/x' }, a),
    ];
    for (const v of variants) expect(v).not.toBe(fp);
    expect(new Set(variants).size).toBe(variants.length);
  });

  it('changes with the GGUF choice (it is on the llama.cpp command line)', () => {
    const ll = { ...spec, engine_type: 'llamacpp' as const };
    const fp = launchFingerprint(ll, a);
    expect(launchFingerprint({ ...ll, gguf_quant: 'Q8_0' }, a)).not.toBe(fp);
    expect(launchFingerprint({ ...ll, gguf_file: 'm-Q8_0.gguf' }, a)).not.toBe(fp);
  });

  it('ignores routing settings and facts (the router reads them; the engine does not)', () => {
    const fp = launchFingerprint(spec, a);
    expect(
      launchFingerprint(
        {
          ...spec,
          routing_policy: 'least-outstanding',
          proxy_timeouts: { idle: '90s' },
          facts: {
            read_for: { model_name: spec.model_name, model_source: spec.model_source, revision: 'main' },
            computed_at: spec.created_at,
            format: 'gguf',
            weights_bytes: 1,
            notes: [],
          },
        },
        a,
      ),
    ).toBe(fp);
  });

  it('is unchanged for specs that do not set the GGUF choice (no restart on upgrade)', () => {
    // The hand-kept identity of the fingerprint before the fields were derived from the schema.
    const old = createHash('sha256')
      .update(
        canonicalJson({
          model_uid: spec.model_uid,
          model_name: spec.model_name,
          model_source: spec.model_source,
          revision: spec.revision,
          model_path: spec.model_path,
          engine_type: spec.engine_type,
          engine_config: spec.engine_config,
          served_model_name: spec.served_model_name,
          resources: spec.resources,
          replica_id: a.replica_id,
          gpu_indices: a.gpu_indices,
          gpu_memory_bytes: a.gpu_memory_bytes,
          port: a.port,
        }),
      )
      .digest('hex')
      .slice(0, 16);
    expect(launchFingerprint(spec, a)).toBe(old);
  });

  it('canonical JSON sorts keys and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 'x' }] })).toBe('{"a":[{"c":"x"}],"b":1}');
  });
});

describe('desiredReplicas', () => {
  it("keeps only this node's assignments, with plan version and fingerprint", () => {
    const p1 = plan(simSpec('m1'), 3, [
      assignment(0, 'n1', 40001),
      assignment(1, 'n2', 40001),
      assignment(2, 'n1', 40002),
    ]);
    const p2 = plan(simSpec('m2'), 7, [assignment(0, 'n2', 40003)]);
    const d = desiredReplicas([p1, p2], 'n1');
    expect([...d.keys()]).toEqual(['m1/0', 'm1/2']);
    expect(d.get('m1/2')).toMatchObject({ modelUid: 'm1', replicaId: 2, planVersion: 3 });
    expect(d.get('m1/2')?.fingerprint).toBe(launchFingerprint(p1.spec, assignment(2, 'n1', 40002)));
  });

  it('never yields twins when a plan repeats a replica', () => {
    const p = plan(simSpec('m1'), 1, [assignment(0, 'n1', 40001), assignment(0, 'n1', 40009)]);
    const d = desiredReplicas([p], 'n1');
    expect(d.size).toBe(1);
    expect(d.get('m1/0')?.assignment.port).toBe(40001);
  });

  it('runs each assignment on the spec of its revision, so moving the plan to a new revision restarts none', () => {
    const v1 = simSpec('m1', { engine_config: { extra_args: ['--itl-ms', '5'], env: {} } });
    const v2 = simSpec('m1', { engine_config: { extra_args: ['--itl-ms', '9'], env: {} } });
    // Revision 1 runs everywhere.
    const before = desiredReplicas(
      [{ ...plan(v1, 4, [assignment(0, 'n1', 40001, { revision: 1 })]), revision: 1 }],
      'n1',
    );
    // A rollout to revision 2 surges replica 1 beside replica 0, which keeps running revision 1.
    const during = desiredReplicas(
      [
        {
          ...plan(v2, 5, [
            assignment(0, 'n1', 40001, { revision: 1 }),
            assignment(1, 'n1', 40002, { revision: 2 }),
          ]),
          revision: 2,
          specs: { '1': v1 },
        },
      ],
      'n1',
    );
    expect(during.get('m1/0')).toMatchObject({ revision: 1, spec: v1, planVersion: 5 });
    expect(during.get('m1/0')?.fingerprint).toBe(before.get('m1/0')?.fingerprint);
    expect(during.get('m1/1')).toMatchObject({ revision: 2, spec: v2 });
    expect(during.get('m1/1')?.fingerprint).not.toBe(launchFingerprint(v1, assignment(1, 'n1', 40002)));
  });

  it('leaves out an assignment whose revision the plan carries no spec for (never guesses one)', () => {
    const p = { ...plan(simSpec('m1'), 2, [assignment(0, 'n1', 40001, { revision: 7 })]), revision: 8 };
    expect(desiredReplicas([p], 'n1').size).toBe(0);
  });

  it("carries the plan's drain grace (30 s when unset) and no revision for plans without revisions", () => {
    const p = plan(simSpec('m1'), 1, [assignment(0, 'n1', 40001)]);
    expect(desiredReplicas([p], 'n1').get('m1/0')).toMatchObject({
      revision: undefined,
      drainGraceMs: 30_000,
    });
    expect(desiredReplicas([{ ...p, drain_grace_seconds: 5 }], 'n1').get('m1/0')?.drainGraceMs).toBe(5_000);
  });
});
