import { describe, expect, it } from 'vitest';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import type { ModelView } from '../../api/schemas/models.js';
import { cacheEntryFor } from '../../scheduler/fixtures.js';
import { summariseCache } from './cache-summary.js';

const entry = (model_name: string): CacheEntryView => ({
  ...cacheEntryFor('n1', { model_name, path: `/c/${model_name}`, size_bytes: 10 }),
  name_hash: `h-${model_name.replace('/', '-')}`,
});

describe('summariseCache', () => {
  it("lists a model as a user of its weights and of its LoRA adapters' entries", () => {
    const view = {
      model_uid: 'base',
      model_source: 'huggingface',
      model_name: 'org/base',
      state: 'running',
      spec: { adapters: [{ name: 'sql', source: 'huggingface', model_id: 'org/sql-lora' }] },
    } as unknown as ModelView;
    const s = summariseCache([entry('org/base'), entry('org/sql-lora'), entry('org/other')], [view]);
    const users = Object.fromEntries(s.items.map((i) => [i.model_name, i.models.map((m) => m.model_uid)]));
    expect(users).toEqual({ 'org/base': ['base'], 'org/sql-lora': ['base'], 'org/other': [] });
  });
});
