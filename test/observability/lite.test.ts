import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { resolveRouterCli } from '../../src/router/cli-options.js';
import { startRouter, type RouterHandle } from '../../src/router/index.js';
import { startEngineSim, type EngineSimHandle } from '../../src/sim/index.js';
import { tempDir } from '../helpers/tmp.js';

/** docs/lite.md, as written: engine-sim + a router configured only by NEBULA_* variables and a tokens file. */
describe('the lite stack of docs/lite.md', () => {
  const dir = tempDir('nebula-lite-');
  const engines: EngineSimHandle[] = [];
  let router: RouterHandle;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      engines.push(
        await startEngineSim({
          model: 'Qwen/Qwen2.5-7B-Instruct',
          host: '127.0.0.1',
          port: 0,
          ttftMs: 1,
          itlMs: 1,
        }),
      );
    }
    const tokens = join(dir.path, 'tokens.yaml');
    writeFileSync(
      tokens,
      'tokens:\n  - name: alice\n    token: sk-alice-change-me\n    rate_limit: { rps: 10, burst: 20 }\n',
    );
    const cfg = resolveRouterCli(
      { host: '127.0.0.1' },
      {
        NEBULA_UPSTREAM_URL: engines.map((e) => e.url).join(','),
        NEBULA_TOKENS_FILE: tokens,
        NEBULA_ROUTER_PORT: '0',
        NEBULA_ROUTER_GRPC: 'false',
        NEBULA_ROUTER_POLICY: 'round-robin',
      },
    );
    expect(cfg.etcd).toBeUndefined();
    router = await startRouter({ ...cfg.options, register: false }, { logger: silentLogger() });
  });
  afterAll(async () => {
    await router?.stop();
    for (const e of engines) await e.stop();
    dir.cleanup();
  });

  const chat = (token?: string) =>
    fetch(`${router.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({
        model: 'Qwen/Qwen2.5-7B-Instruct',
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 3,
      }),
    });

  it('answers /health, refuses requests without the token, serves them with it, round-robin', async () => {
    expect((await fetch(`${router.url}/health`)).status).toBe(200);
    const denied = await chat();
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: { type: string } }).error).toBeDefined();
    for (let i = 0; i < 4; i++) {
      const r = await chat('sk-alice-change-me');
      expect(r.status).toBe(200);
      await r.text();
    }
    const served = await Promise.all(
      engines.map(async (e) => {
        const t = await (await fetch(`${e.url}/metrics`)).text();
        // Requests this engine finished, whatever the reason.
        return [...t.matchAll(/^vllm:request_success_total\{[^}]*\} (\d+)$/gm)].reduce(
          (n, m) => n + Number(m[1]),
          0,
        );
      }),
    );
    expect(served).toEqual([2, 2]);
  });
});
