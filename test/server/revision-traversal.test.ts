import { describe, expect, it } from 'vitest';
import { useApp } from './helpers.js';

/**
 * A revision becomes a path on the node (`refs/<revision>` in the hub cache): anything that could climb
 * out of it is refused by the API with 422 and nothing is written (finding 10 of the hardening run).
 */
const TRAVERSALS = [
  '..',
  '.',
  '../../x',
  '../etc/passwd',
  'a/../../b',
  'a/..',
  'refs/../../../tmp',
  '/etc/passwd',
  '/abs',
  '%2e%2e',
  '%2e%2e%2fx',
  'a//b',
  'a/',
  '.hidden',
  'a/.git',
  'a..b',
  'a\\..\\b',
];
const FINE = ['main', 'v1.0', 'refs/pr/3', '0123456789abcdef0123456789abcdef01234567', 'release-2024_01'];

describe('revision path traversal', () => {
  const t = useApp();
  const op = () => t.tokens.operator;
  const nonAudit = async (since: number) =>
    (await t.store.list('/', {})).items
      .filter((kv) => kv.modRevision > since && !/^\/(audit|auth\/api_keys)\//.test(kv.key))
      .map((kv) => kv.key);

  it('POST /api/v2/models refuses each with 422 VALIDATION_FAILED naming `revision`, and writes nothing', async () => {
    const rev = await t.store.revision();
    for (const revision of TRAVERSALS) {
      const res = await t.call('POST', '/api/v2/models', {
        token: op(),
        body: { model_name: 'org/model', model_source: 'huggingface', engine_type: 'vllm', revision },
      });
      const body = await res.json();
      expect(res.status, revision).toBe(422);
      expect(body.error.code, revision).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(body.error.details), revision).toContain('revision');
    }
    expect(await nonAudit(rev)).toEqual([]);
  });

  it('PUT /api/v2/models/{uid}, templates, v1 load and catalog import refuse them too', async () => {
    const m = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { model_name: 'org/good', model_source: 'huggingface', engine_type: 'vllm', revision: 'main' },
    });
    const rev = await t.store.revision();
    for (const revision of ['../../x', '..', '/abs', '%2e%2e']) {
      const put = await t.call('PUT', `/api/v2/models/${m.model_uid}`, { token: op(), body: { revision } });
      expect(put.status, `PUT ${revision}`).toBe(422);
      const tpl = await t.call('POST', '/api/v2/templates', {
        token: op(),
        body: {
          name: 'tpl-x',
          category: 'llm',
          spec: { model_name: 'org/model', model_source: 'huggingface', engine_type: 'vllm', revision },
        },
      });
      expect(tpl.status, `template ${revision}`).toBe(422);
      const v1 = await t.call('POST', '/api/models/load', {
        token: op(),
        body: { model_name: 'org/model', model_source: 'huggingface', engine_type: 'vllm', revision },
      });
      expect(v1.status, `v1 ${revision}`).toBe(422);
      const imp = await t.call('POST', '/api/v2/catalog/import', {
        token: op(),
        body: { provider: 'huggingface', model_id: 'org/model', revision },
      });
      expect(imp.status, `import ${revision}`).toBe(422);
    }
    expect(await nonAudit(rev)).toEqual([]);
    expect((await t.json('GET', `/api/v2/models/${m.model_uid}`, { token: op() })).spec.revision).toBe(
      'main',
    );
  });

  it('accepts branches, tags, commits and refs/pr/N', async () => {
    for (const [i, revision] of FINE.entries()) {
      const m = await t.json('POST', '/api/v2/models', {
        token: op(),
        body: { model_name: `org/fine-${i}`, model_source: 'huggingface', engine_type: 'vllm', revision },
      });
      expect(m.spec.revision).toBe(revision);
    }
  });
});
