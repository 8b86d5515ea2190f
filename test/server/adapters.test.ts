import { describe, expect, it } from 'vitest';
import { ModelSpec } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { useApp } from './helpers.js';

/** Issue 18: adapters in the spec, their names one namespace with the served model names (HTTP). */
describe('LoRA adapters in the model API', () => {
  const t = useApp();
  const op = () => t.tokens.operator;
  const base = {
    model_name: 'org/base',
    model_source: 'huggingface',
    engine_type: 'vllm',
    resources: { gpu_count: 0 },
  };
  const adapter = (name: string) => ({ name, source: 'huggingface', model_id: `org/${name}-lora` });
  const stored = async (uid: string) => (await getJson(t.store, keys.modelSpec(uid), ModelSpec))?.value;

  it('stores adapters given at create and by update', async () => {
    const res = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'b1', adapters: [adapter('sql')] },
    });
    expect(res.status).toBe(201);
    expect((await stored('b1'))?.adapters).toEqual([adapter('sql')]);
    const up = await t.call('PUT', '/api/v2/models/b1', {
      token: op(),
      body: { adapters: [adapter('sql'), adapter('fr')] },
    });
    expect(up.status).toBe(200);
    expect((await stored('b1'))?.adapters?.map((a) => a.name)).toEqual(['sql', 'fr']);
    // The change is in the model's events and in the audit log (who, what, result).
    const events = (await (await t.call('GET', '/api/v2/models/b1/events', { token: op() })).json()) as {
      items: { message?: string }[];
    };
    expect(events.items.map((e) => e.message)).toContainEqual(expect.stringMatching(/adapters \+fr$/));
    const audit = (await (
      await t.call('GET', '/api/v2/audit?limit=50', { token: t.tokens.admin })
    ).json()) as {
      items: { action: string; resource: string; result: string }[];
    };
    expect(audit.items.some((a) => a.resource.includes('b1') && a.result === 'success')).toBe(true);
  });

  it('an empty list is no list (the spec, and so the engines, stay as without adapters)', async () => {
    const res = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'e1', adapters: [] },
    });
    expect(res.status).toBe(201);
    expect((await stored('e1'))?.adapters).toBeUndefined();
    await t.call('PUT', '/api/v2/models/e1', { token: op(), body: { adapters: [adapter('e1-a')] } });
    expect((await stored('e1'))?.adapters).toHaveLength(1);
    await t.call('PUT', '/api/v2/models/e1', { token: op(), body: { adapters: [] } });
    expect((await stored('e1'))?.adapters).toBeUndefined();
  });

  it('refuses names taken in the cluster with 409 and a reason, changing nothing', async () => {
    await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'b2', served_model_name: 'chat' },
    });
    const before = await t.store.get(keys.modelSpec('b2'));
    // Another model's adapter, another model's served name, another model's uid.
    for (const name of ['sql', 'chat', 'b1']) {
      const res = await t.call('PUT', '/api/v2/models/b2', {
        token: op(),
        body: { adapters: [adapter(name)] },
      });
      expect([name, res.status]).toEqual([name, 409]);
      const err = (await res.json()) as { error: { code: string; message: string } };
      expect(err.error.code).toBe('ADAPTER_NAME_TAKEN');
      expect(err.error.message).toContain(`"${name}"`);
    }
    expect((await t.store.get(keys.modelSpec('b2')))?.modRevision).toBe(before?.modRevision);
    // A new model may not take an adapter's name either.
    const res = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'b3', served_model_name: 'fr' },
    });
    expect(res.status).toBe(409);
    expect(await stored('b3')).toBeUndefined();
    // Nor its own.
    const self = await t.call('PUT', '/api/v2/models/b2', {
      token: op(),
      body: { adapters: [adapter('chat')] },
    });
    expect(self.status).toBe(409);
  });

  it('refuses bad adapters with 422 (names, paths, duplicates, engines without LoRA)', async () => {
    const bad: unknown[][] = [
      [adapter('SQL')],
      [adapter('a'), adapter('a')],
      [{ name: 'l', source: 'local', path: '../etc/passwd' }],
      [{ name: 'l', source: 'huggingface' }],
    ];
    for (const adapters of bad) {
      const res = await t.call('PUT', '/api/v2/models/b2', { token: op(), body: { adapters } });
      expect([adapters, res.status]).toEqual([adapters, 422]);
    }
    const sim = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_name: 'x',
        model_source: 'local',
        engine_type: 'sim',
        model_uid: 's1',
        adapters: [adapter('z')],
      },
    });
    expect(sim.status).toBe(422);
  });
});
