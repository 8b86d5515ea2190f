import { describe, expect, it } from 'vitest';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import { cacheEntryFor, specFor } from '../../scheduler/fixtures.js';
import { summariseCache } from './cache-summary.js';
import { buildModelView } from './model-view.js';

const REVISIONS = { createRevision: 1, modRevision: 1, version: 1 };

const entry = (model_name: string): CacheEntryView => ({
  ...cacheEntryFor('n1', { model_name, path: `/c/${model_name}`, size_bytes: 10 }),
  name_hash: `h-${model_name.replace('/', '-')}`,
});

describe('summariseCache', () => {
  it("lists a model as a user of its weights and of its LoRA adapters' entries", () => {
    const adapters = [{ name: 'sql', source: 'huggingface' as const, model_id: 'org/sql-lora' }];
    const view = buildModelView({
      spec: { key: '/models/base/spec', value: specFor('base', { adapters }), ...REVISIONS },
      deployment: undefined,
      plan: undefined,
      endpoints: [],
      downloads: [],
    });
    const s = summariseCache([entry('org/base'), entry('org/sql-lora'), entry('org/other')], [view]);
    const users = Object.fromEntries(s.items.map((i) => [i.model_name, i.models.map((m) => m.model_uid)]));
    expect(users).toEqual({ 'org/base': ['base'], 'org/sql-lora': ['base'], 'org/other': [] });
  });
});
