/**
 * Model files in the all-in-one: a catalog import of a Hugging Face model (from the fake hub) downloads the
 * weights into the node cache with byte-level progress, the cache entry appears, and the replica runs on the
 * engine simulator and answers through the router.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../fake-hub/index.js';
import { waitFor } from '../helpers/ports.js';
import { waitModelRunning } from '../helpers/model-wait.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestUp, type TestUp } from '../helpers/up.js';

describe('all-in-one: catalog import downloads, then runs on the simulator', () => {
  const dir = tempDir('nebula-import-');
  let hub: FakeHub;
  let t: TestUp;

  beforeAll(async () => {
    hub = await startFakeHub();
    t = await startTestUp(dir.path, {
      portRange: '41000-41099',
      hfEndpoint: hub.url,
      modelscopeEndpoint: hub.url,
    });
  });
  afterAll(async () => {
    await t?.stop();
    await hub?.stop();
    dir.cleanup();
  });

  it('imports, downloads into the HF cache layout, serves, and shows the cache entry', async () => {
    const { client, openai } = t;
    const search = await client.catalog.search({ provider: 'huggingface', q: 'tiny-llm' });
    expect(search.items.map((i) => i.id)).toContain('nebula-test/tiny-llm');

    await client.catalog.import({
      provider: 'huggingface',
      model_id: 'nebula-test/tiny-llm',
      model_uid: 'tiny',
      engine_type: 'sim',
      replicas: 1,
      auto_start: true,
    });
    const detail = await waitModelRunning(client, 'tiny', { timeoutMs: 60_000 });
    expect(detail.ready_replicas).toBe(1);
    const events = detail.events.map((e) => e.type);
    expect(events).toContain('ready');

    // The standard hub layout under the node cache, so vLLM would find the files.
    const repoDir = join(dir.path, 'data', 'cache', 'huggingface', 'hub', 'models--nebula-test--tiny-llm');
    expect(existsSync(join(repoDir, 'refs', 'main'))).toBe(true);
    const cache = await waitFor(
      async () => {
        const c = await client.nodes.cache('aio');
        return c.items.find((e) => e.model_name === 'nebula-test/tiny-llm' && e.complete);
      },
      { timeoutMs: 30_000, what: 'cache entry' },
    );
    expect(cache.size_bytes).toBeGreaterThan(0);

    const r = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(r.choices[0]?.message.content).toBeTruthy();
  });
});
