import { describe, expect, it } from 'vitest';
import { deploymentFor, specFor } from '../../scheduler/fixtures.js';
import { UsageError } from '../errors.js';
import { documentName, parseDocuments } from './documents.js';
import {
  modelCreateBody,
  modelUpdateSteps,
  planModel,
  planTemplate,
  summarizePlan,
  templateUpdateBody,
} from './plan.js';
import type { ModelDocument, TemplateDocument } from './documents.js';

const YAML = `
kind: Model
model_uid: qwen-small
model_name: Qwen/Qwen2.5-0.5B-Instruct
engine_type: vllm
replicas: 2
desired_state: running
---
# a comment-only document is skipped
---
kind: Template
template_id: qwen-small
name: Qwen small
spec:
  model_name: Qwen/Qwen2.5-0.5B-Instruct
  engine_type: vllm
`;

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('parseDocuments', () => {
  it('reads multi-document YAML with defaults', () => {
    const docs = parseDocuments(YAML, 'f.yaml');
    expect(docs.map(documentName)).toEqual(['model/qwen-small', 'template/qwen-small']);
    expect(docs[0]).toEqual({
      kind: 'Model',
      model_uid: 'qwen-small',
      model_name: 'Qwen/Qwen2.5-0.5B-Instruct',
      model_source: 'huggingface',
      engine_type: 'vllm',
      replicas: 2,
      desired_state: 'running',
    });
    expect((docs[1] as TemplateDocument).category).toBe('chat');
  });

  it('reads JSON objects, arrays and {items}', () => {
    const m = { kind: 'Model', model_uid: 'a', model_name: 'x/a', engine_type: 'sim' };
    expect(parseDocuments(JSON.stringify(m), 'f.json')).toHaveLength(1);
    expect(parseDocuments(JSON.stringify([m, { ...m, model_uid: 'b' }]), 'f.json')).toHaveLength(2);
    expect(parseDocuments(JSON.stringify({ items: [m] }), 'f.json')).toHaveLength(1);
    expect(parseDocuments(JSON.stringify({ kind: 'List', items: [m] }), 'f.json')).toHaveLength(1);
  });

  it('names the document and field of every problem', () => {
    expect(usage(() => parseDocuments('', 'f.yaml'))).toBe('f.yaml: no documents found');
    expect(usage(() => parseDocuments('kind: Pod\n', 'f.yaml'))).toBe(
      'f.yaml: document 1: kind must be Model or Template (got "Pod")',
    );
    expect(usage(() => parseDocuments('model_uid: a\n', 'f.yaml'))).toBe(
      'f.yaml: document 1: kind must be Model or Template (got null)',
    );
    expect(usage(() => parseDocuments('- 1\n', 'f.yaml'))).toBe('f.yaml: document 1: expected an object');
    expect(
      usage(() =>
        parseDocuments('kind: Model\nmodel_uid: Bad_Uid\nmodel_name: a/b\nengine_type: vllm\n', 'f.yaml'),
      ),
    ).toMatch(/^f\.yaml: document 1 \(Model\): model_uid: model_uid must be/);
    expect(
      usage(() =>
        parseDocuments(
          'kind: Model\nmodel_uid: a\nmodel_name: a/b\nengine_type: vllm\nreplica: 2\n',
          'f.yaml',
        ),
      ),
    ).toBe('f.yaml: document 1 (Model): unknown field(s) "replica"');
    expect(
      usage(() => parseDocuments('kind: Model\nmodel_uid: a\nmodel_name: a/b\nengine_type: tgi\n', 'f.yaml')),
    ).toMatch(/^f\.yaml: document 1 \(Model\): engine_type: /);
    const twice = 'kind: Model\nmodel_uid: a\nmodel_name: a/b\nengine_type: vllm\n';
    expect(usage(() => parseDocuments(`${twice}---\n${twice}`, 'f.yaml'))).toBe(
      'f.yaml: document 2: model/a appears twice',
    );
    expect(usage(() => parseDocuments('kind: [unclosed\n', 'f.yaml'))).toMatch(/^f\.yaml: /);
  });
});

describe('apply plan', () => {
  const doc: ModelDocument = {
    kind: 'Model',
    model_uid: 'qwen',
    model_name: 'Qwen/Qwen2.5-0.5B',
    model_source: 'huggingface',
    engine_type: 'vllm',
    replicas: 2,
    engine_config: { env: { A: '1' } },
    desired_state: 'running',
  };
  const current = {
    spec: specFor('qwen', { model_name: 'Qwen/Qwen2.5-0.5B', engine_type: 'vllm' }),
    deployment: deploymentFor('qwen', { desired_state: 'stopped' }),
  };

  it('creates what is missing, with auto_start from desired_state', () => {
    const entry = planModel(doc, undefined);
    expect(entry).toMatchObject({ name: 'model/qwen', action: 'create', changes: [] });
    const { kind: _k, desired_state: _d, ...rest } = doc;
    expect(modelCreateBody(doc)).toEqual({ ...rest, auto_start: true });
    expect(modelCreateBody({ ...doc, desired_state: undefined }).auto_start).toBe(false);
  });

  it('updates changed fields and starts/stops as asked', () => {
    const entry = planModel(doc, current);
    expect(entry.action).toBe('update');
    expect(entry.changes).toEqual([
      { path: 'replicas', from: 1, to: 2 },
      { path: 'engine_config.env.A', from: undefined, to: '1' },
      { path: 'desired_state', from: 'stopped', to: 'running' },
    ]);
    expect(modelUpdateSteps(entry as typeof entry & { doc: ModelDocument })).toEqual({
      update: { replicas: 2, engine_config: { env: { A: '1' } } },
      lifecycle: 'start',
    });
    const same = planModel(
      { ...doc, replicas: 1, engine_config: { env: {} }, desired_state: 'stopped' },
      current,
    );
    expect(same.action).toBe('unchanged');
    const stopOnly = planModel(
      { ...doc, replicas: 1, engine_config: undefined, desired_state: 'stopped' },
      {
        ...current,
        deployment: { ...current.deployment, desired_state: 'running' },
      },
    );
    expect(modelUpdateSteps(stopOnly as typeof stopOnly & { doc: ModelDocument })).toEqual({
      update: undefined,
      lifecycle: 'stop',
    });
  });

  it('plans templates and summarises', () => {
    const t: TemplateDocument = {
      kind: 'Template',
      template_id: 'small',
      name: 'Small',
      category: 'chat',
      spec: { model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
    };
    const cur = {
      template_id: 'small',
      name: 'Small',
      category: 'chat',
      spec: { model_name: 'a/b', model_source: 'huggingface', engine_type: 'sim', revision: 'main' },
    };
    const e = planTemplate(t, cur);
    expect(e.changes).toEqual([{ path: 'spec.engine_type', from: 'sim', to: 'vllm' }]);
    expect(templateUpdateBody(e as typeof e & { doc: TemplateDocument })).toEqual({ spec: t.spec });
    expect(planTemplate(t, undefined).action).toBe('create');
    expect(summarizePlan([e, planTemplate(t, undefined), planModel(doc, undefined)])).toBe(
      '3 objects: 2 to create, 1 to update, 0 unchanged',
    );
    expect(summarizePlan([])).toBe('0 objects: 0 to create, 0 to update, 0 unchanged');
  });
});

describe('apply files with LoRA adapters', () => {
  it('read adapters with the spec validators and plan them as one field', () => {
    const [doc] = parseDocuments(
      `kind: Model
model_uid: base
model_name: org/base
engine_type: vllm
adapters:
  - { name: sql, source: huggingface, model_id: org/sql-lora }
`,
      'm.yaml',
    );
    expect((doc as ModelDocument).adapters).toEqual([
      { name: 'sql', source: 'huggingface', model_id: 'org/sql-lora' },
    ]);
    expect(modelCreateBody(doc as ModelDocument)['adapters']).toHaveLength(1);
    expect(
      usage(() =>
        parseDocuments(
          'kind: Model\nmodel_uid: base\nmodel_name: org/base\nengine_type: vllm\nadapters: [{ name: Bad, source: local, path: x }]\n',
          'bad.yaml',
        ),
      ),
    ).toMatch(/adapters/);
  });
});

describe('apply: rollout and autoscaling in model documents', () => {
  const text = `
kind: Model
model_uid: auto
model_name: demo/auto
model_source: local
engine_type: sim
rollout: { max_surge: 1, drain_grace_seconds: 10 }
autoscaling: { min_replicas: 0, max_replicas: 4, scale_to_zero_after: 10m }
`;
  it('reads them with the API defaults, and refuses a policy that cannot hold', () => {
    const [doc] = parseDocuments(text, 'f.yaml') as ModelDocument[];
    expect(doc?.rollout).toEqual({ max_surge: 1, drain_grace_seconds: 10 });
    expect(doc?.autoscaling).toMatchObject({
      min_replicas: 0,
      max_replicas: 4,
      target: { metric: 'inflight' },
    });
    expect(() => parseDocuments(text.replace('min_replicas: 0', 'min_replicas: 5'), 'f.yaml')).toThrow(
      /autoscaling.min_replicas: min_replicas must not exceed max_replicas/,
    );
    expect(() => parseDocuments(text.replace('max_surge: 1', 'paused: true'), 'f.yaml')).toThrow(/paused/);
  });

  it('compares them field by field with the deployment and sends only what changed', () => {
    const [doc] = parseDocuments(text, 'f.yaml') as ModelDocument[];
    if (!doc) throw new Error('no document');
    const deployment = {
      replicas: 1,
      node_selector: {},
      placement_strategy: 'binpack',
      rollout: {
        strategy: 'rolling',
        max_surge: 1,
        progress_deadline_seconds: 600,
        paused: false,
        drain_grace_seconds: 10,
      },
      autoscaling: { ...doc.autoscaling },
    };
    const spec = { model_name: 'demo/auto', model_source: 'local', engine_type: 'sim' };
    expect(planModel({ ...doc, replicas: undefined }, { spec, deployment }).action).toBe('unchanged');
    const wider = planModel(
      { ...doc, replicas: undefined, autoscaling: { ...doc.autoscaling!, max_replicas: 8 } },
      { spec, deployment },
    );
    expect(wider.changes).toEqual([{ path: 'autoscaling.max_replicas', from: 4, to: 8 }]);
    expect(modelUpdateSteps(wider as typeof wider & { doc: ModelDocument }).update).toEqual({
      autoscaling: { ...doc.autoscaling, max_replicas: 8 },
    });
  });
});
