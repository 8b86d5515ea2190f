import { describe, expect, it } from 'vitest';
import { SPEC_INPUT_FIELDS } from '../../core/domain/index.js';
import { CreateModelBody, UpdateModelBody } from '../../api/schemas/models.js';
import { CreateTemplateBody } from '../../api/schemas/templates.js';
import { ModelDocument, TemplateDocument } from './documents.js';

/** Apply files and the API must refuse the same spec values: they validate with the same schema. */
describe('apply documents validate the spec as the API does', () => {
  const base = { model_uid: 'm1', model_name: 'org/m', model_source: 'huggingface', engine_type: 'vllm' };
  const cases: [field: string, value: string, ok: boolean][] = [
    ['revision', 'main', true],
    ['revision', 'refs/pr/3', true],
    ['revision', '../etc', false],
    ['revision', '/abs', false],
    ['revision', '.hidden', false],
    ['revision', 'a//b', false],
    ['revision', 'a%2e%2e', false],
    ['served_model_name', 'qwen-small', true],
    ['served_model_name', 'org/model:q4', true],
    ['served_model_name', '-flag', false],
    ['served_model_name', 'two words', false],
    ['served_model_name', 'x;rm -rf', false],
    ['served_model_name', '.hidden', false],
    ['model_path', '', false],
  ];

  it.each(cases)('%s = %j (accepted: %s)', (field, value, ok) => {
    const body = { ...base, [field]: value };
    expect(CreateModelBody.safeParse(body).success).toBe(ok);
    expect(UpdateModelBody.safeParse({ [field]: value }).success).toBe(ok);
    expect(ModelDocument.safeParse({ kind: 'Model', ...body }).success).toBe(ok);
    const { model_uid: _u, ...spec } = body;
    expect(CreateTemplateBody.safeParse({ name: 't', category: 'chat', spec }).success).toBe(ok);
    expect(TemplateDocument.safeParse({ kind: 'Template', template_id: 't', name: 't', spec }).success).toBe(
      ok,
    );
  });

  it('every spec field of a model document is the API create body field (model_source: a default added)', () => {
    const doc = ModelDocument.shape as Record<string, unknown>;
    const api = CreateModelBody.shape as Record<string, unknown>;
    for (const k of SPEC_INPUT_FIELDS) {
      expect(k in doc).toBe(true);
      if (k !== 'model_source') expect([k, doc[k] === api[k]]).toEqual([k, true]);
    }
    expect(
      ModelDocument.parse({ kind: 'Model', model_uid: 'm', model_name: 'org/m', engine_type: 'vllm' })
        .model_source,
    ).toBe('huggingface');
  });
});
