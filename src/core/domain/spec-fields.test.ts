import { describe, expect, it } from 'vitest';
import { ModelDeployment, ModelSpec } from './model.js';
import {
  DeploymentInputShape,
  SPEC_CLEARABLE_FIELDS,
  SPEC_FIELD_ROLES,
  SPEC_IDENTITY_FIELDS,
  SPEC_INPUT_FIELDS,
  SPEC_LAUNCH_FIELDS,
  SpecInputShape,
  SpecUpdateShape,
} from './spec-fields.js';

describe('spec field roles', () => {
  it('classify every ModelSpec field, and nothing else', () => {
    expect(Object.keys(SPEC_FIELD_ROLES).sort()).toEqual(Object.keys(ModelSpec.shape).sort());
    const roles = new Set(['key', 'identity', 'engine', 'routing', 'meta', 'server-owned']);
    for (const role of Object.values(SPEC_FIELD_ROLES)) expect(roles.has(role)).toBe(true);
  });

  // The lists below were hand-kept before (service.ts update, facts.ts, the node's fingerprint, the
  // schemas' nullable fields); the derived ones must say the same, in the same order.
  // The facts identity fields (which model, which files, which engine): the fields a client sets and the
  // launch fields both start with them (after model_uid for launch), in this order.
  const identity = [
    'model_name',
    'model_source',
    'revision',
    'model_path',
    'gguf_file',
    'gguf_quant',
    'engine_type',
  ];

  it('derive the fields a client sets (the update merge)', () => {
    expect(SPEC_INPUT_FIELDS).toEqual([
      ...identity,
      'engine_config',
      'served_model_name',
      'resources',
      'routing_policy',
      'proxy_timeouts',
      'adapters',
      'labels',
      'description',
    ]);
    expect(Object.keys(SpecInputShape)).toEqual(SPEC_INPUT_FIELDS);
    expect(Object.keys(SpecUpdateShape)).toEqual(SPEC_INPUT_FIELDS);
  });

  it('derive the facts identity fields', () => {
    expect(SPEC_IDENTITY_FIELDS).toEqual(identity);
  });

  it('derive the launch fields: the old fingerprint list plus the GGUF choice (it changes llama.cpp argv)', () => {
    expect(SPEC_LAUNCH_FIELDS).toEqual([
      'model_uid',
      ...identity,
      'engine_config',
      'served_model_name',
      'resources',
      'adapters',
    ]);
  });

  it('derive the fields an update may clear with null: optional ones without default', () => {
    expect(SPEC_CLEARABLE_FIELDS).toEqual([
      'model_path',
      'gguf_file',
      'gguf_quant',
      'served_model_name',
      'routing_policy',
      'proxy_timeouts',
      'adapters',
      'description',
    ]);
  });
});

describe('spec input shapes', () => {
  it('carry the spec validators (served_model_name pattern, model_path length)', () => {
    for (const bad of ['-x', 'a b', 'x;rm', '.hidden', '']) {
      expect(ModelSpec.shape.served_model_name.safeParse(bad).success).toBe(false);
      expect(SpecInputShape.served_model_name.safeParse(bad).success).toBe(false);
    }
    expect(SpecInputShape.served_model_name.safeParse('org/model:q4').success).toBe(true);
    expect(SpecInputShape.model_path.safeParse('').success).toBe(false);
  });

  it('leave defaults to the server and take nested objects in part', () => {
    expect(SpecInputShape.revision.parse(undefined)).toBeUndefined();
    expect(SpecInputShape.labels.parse(undefined)).toBeUndefined();
    // Only what is given: inner defaults would reset stored values in the update's merge.
    expect(SpecInputShape.resources.parse({ gpu_memory_gib: 8 })).toEqual({ gpu_memory_gib: 8 });
    expect(SpecInputShape.engine_config.parse({ max_model_len: 4096 })).toEqual({ max_model_len: 4096 });
    expect(SpecInputShape.engine_config.safeParse({ env: { 'BAD-NAME': 'x' } }).success).toBe(false);
    expect(SpecInputShape.model_name.safeParse(undefined).success).toBe(false);
  });

  it('update: clearable fields take null, the others refuse it', () => {
    for (const k of SPEC_INPUT_FIELDS) {
      const ok = SpecUpdateShape[k].safeParse(null).success;
      expect([k, ok]).toEqual([k, SPEC_CLEARABLE_FIELDS.includes(k as never)]);
      expect(SpecUpdateShape[k].safeParse(undefined).success).toBe(true);
    }
  });

  it('deployment input fields are the stored deployment fields a client sets', () => {
    expect(Object.keys(DeploymentInputShape)).toEqual(['replicas', 'node_selector', 'placement_strategy']);
    for (const k of Object.keys(DeploymentInputShape)) expect(k in ModelDeployment.shape).toBe(true);
    expect(DeploymentInputShape.replicas.safeParse(1001).success).toBe(false);
  });
});

describe('adapters', () => {
  const hub = { name: 'sql-expert', source: 'huggingface', model_id: 'org/sql-lora' };
  it('accept hub and local adapters', () => {
    expect(SpecInputShape.adapters.safeParse([hub]).success).toBe(true);
    expect(
      SpecInputShape.adapters.safeParse([{ name: 'fr', source: 'local', path: '/models/fr.gguf' }]).success,
    ).toBe(true);
  });

  it('refuse duplicate, non-DNS-label names and hostile paths', () => {
    expect(SpecInputShape.adapters.safeParse([hub, hub]).success).toBe(false);
    for (const name of ['SQL', '-x', 'x-', 'a_b', 'a/b', '', 'x'.repeat(64)])
      expect([name, SpecInputShape.adapters.safeParse([{ ...hub, name }]).success]).toEqual([name, false]);
    for (const path of ['rel/x.gguf', '/a/../b', '/a/./b', '/a,b.gguf', '/a\nb', '/a"b', '//etc'])
      expect([
        path,
        SpecInputShape.adapters.safeParse([{ name: 'l', source: 'local', path }]).success,
      ]).toEqual([path, false]);
    expect(SpecInputShape.adapters.safeParse([{ ...hub, model_id: '../x' }]).success).toBe(false);
    expect(SpecInputShape.adapters.safeParse([{ ...hub, revision: '../main' }]).success).toBe(false);
  });

  it('need model_id for hubs and path for local, not both', () => {
    expect(SpecInputShape.adapters.safeParse([{ name: 'a', source: 'huggingface' }]).success).toBe(false);
    expect(SpecInputShape.adapters.safeParse([{ name: 'a', source: 'local' }]).success).toBe(false);
    expect(SpecInputShape.adapters.safeParse([{ ...hub, path: '/x' }]).success).toBe(false);
    expect(SpecInputShape.adapters.safeParse([{ ...hub, extra: 1 }]).success).toBe(false);
  });
});
