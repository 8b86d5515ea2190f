/**
 * Issue 18 on a real llama-server: the all-in-one (in process, own ports, the fake hub as Hugging Face)
 * serves the tiny GGUF llama with a tiny LoRA adapter imported from the hub as an adapter repository. With
 * greedy sampling the same prompt gives another completion through `model: <adapter>` than through the
 * base, and the same one twice; `/v1/models` lists the adapter with its parent; the adapter is a cache
 * entry of its own; removing it makes its name 404 while the base keeps serving.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NebulaClient } from '../../src/client/index.js';
import type { UpHandle } from '../../src/up.js';
import { startFakeHub, TINY_GGUF_REPO, type FakeHub } from '../fake-hub/index.js';
import { TINY_LORA_FILE, TINY_LORA_REPO, tinyLoraGguf } from '../fixtures/gguf/tiny-lora.js';
import { llamaServerBinary, skipWithoutLlamaServer } from '../helpers/llama-server.js';
import { waitFor } from '../helpers/ports.js';
import { findProcesses } from '../helpers/procs.js';
import { waitModelRunning } from '../helpers/model-wait.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestUp } from '../helpers/up.js';

const PROMPT = 'tell me about the weather';

describe.skipIf(skipWithoutLlamaServer('the LoRA suite'))('LoRA adapters on a real llama-server', () => {
  const dir = tempDir('nebula-lora-');
  const llamaBin = llamaServerBinary() ?? '';
  let hub: FakeHub;
  let up: UpHandle;
  let client: NebulaClient;
  let key = '';

  const chat = async (model: string) => {
    const res = await fetch(`${up.routerUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: PROMPT }],
        max_tokens: 12,
        temperature: 0,
      }),
    });
    const body = (await res.json()) as {
      choices?: { message: { content: string } }[];
      error?: { message: string };
    };
    return { status: res.status, text: body.choices?.[0]?.message.content, body };
  };
  const models = async () => {
    const res = await fetch(`${up.routerUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    return ((await res.json()) as { data: { id: string; parent?: string }[] }).data;
  };

  beforeAll(async () => {
    hub = await startFakeHub({
      extraModels: [
        {
          id: TINY_LORA_REPO,
          hubs: ['huggingface'],
          library: 'gguf',
          tags: ['gguf', 'lora'],
          files: [{ path: TINY_LORA_FILE, content: tinyLoraGguf(), lfs: true }],
        },
      ],
    });
    const base = 44_000 + Math.floor(Math.random() * 50) * 100;
    ({
      up,
      token: key,
      client,
    } = await startTestUp(dir.path, {
      nodeId: 'lora',
      portRange: `${base}-${base + 99}`,
      engineBin: [`llamacpp=${llamaBin}`],
      hfEndpoint: hub.url,
      rateLimit: 'off',
    }));
  }, 120_000);

  afterAll(async () => {
    await up?.stop();
    for (const pid of findProcesses(llamaBin, dir.path)) process.kill(pid, 'SIGKILL');
    await hub?.stop();
    dir.cleanup();
  });

  it('serves the adapter by name: another greedy completion than the base, the same one twice', async () => {
    await client.models.create({
      model_uid: 'tiny',
      model_name: TINY_GGUF_REPO,
      model_source: 'huggingface',
      engine_type: 'llamacpp',
      gguf_quant: 'Q8_0',
      resources: { gpu_count: 0 },
      adapters: [{ name: 'tiny-sql', source: 'huggingface', model_id: TINY_LORA_REPO }],
      auto_start: true,
    });
    const detail = await waitModelRunning(client, 'tiny', {
      timeoutMs: 120_000,
      what: 'tiny running with its adapter',
    });
    expect(detail.endpoints[0]?.adapters).toEqual([{ name: 'tiny-sql', id: 0 }]);

    // The adapter is a cache entry of its own, beside the base's.
    const entries = await waitFor(
      async () => {
        const c = await client.nodes.cache('lora');
        const names = c.items.filter((e) => e.complete).map((e) => e.model_name);
        return names.includes(TINY_LORA_REPO) && names.includes(TINY_GGUF_REPO) ? names : undefined;
      },
      { timeoutMs: 30_000, what: 'cache entries of the base and the adapter' },
    );
    expect(entries).toContain(TINY_LORA_REPO);
    const loraFile = join(
      dir.path,
      'data',
      'cache',
      'huggingface',
      'hub',
      `models--${TINY_LORA_REPO.replace('/', '--')}`,
    );
    expect(existsSync(loraFile)).toBe(true);

    await waitFor(async () => (await chat('tiny-sql')).status === 200, {
      timeoutMs: 30_000,
      what: 'the router to route the adapter',
    });
    const base1 = await chat('tiny');
    const lora1 = await chat('tiny-sql');
    const base2 = await chat('tiny');
    const lora2 = await chat('tiny-sql');
    expect(base1.status).toBe(200);
    expect(lora1.status).toBe(200);
    expect(base1.text?.length).toBeGreaterThan(0);
    expect(lora1.text?.length).toBeGreaterThan(0);
    expect(lora1.text).not.toBe(base1.text);
    expect(lora2.text).toBe(lora1.text);
    expect(base2.text).toBe(base1.text);

    const listed = await models();
    expect(listed.find((m) => m.id === 'tiny-sql')?.parent).toBe('tiny');
    expect(listed.find((m) => m.id === 'tiny')?.parent).toBeUndefined();

    // Per-adapter metrics: the router's per-model series carry the adapter's name.
    const metrics = await (await fetch(`${up.routerUrl}/metrics`)).text();
    expect(metrics).toMatch(/nebula_router_requests_total\{[^}]*model="tiny-sql"[^}]*\} [1-9]/);
  });

  it('removing the adapter makes its name 404 while the base keeps serving', async () => {
    const before = (await chat('tiny')).text;
    await client.models.update('tiny', { adapters: null });
    await waitFor(async () => (await chat('tiny-sql')).status === 404, {
      timeoutMs: 30_000,
      what: 'the adapter name to be unknown',
    });
    const after = await waitFor(
      async () => {
        const r = await chat('tiny');
        return r.status === 200 ? r : undefined;
      },
      { timeoutMs: 120_000, what: 'the base to serve after the adapter was removed' },
    );
    expect(after.text).toBe(before);
    expect((await models()).map((m) => m.id)).not.toContain('tiny-sql');
  });
});
