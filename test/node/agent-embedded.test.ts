import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { engineSimPids, enginesOfDataDir, killEnginesOf } from './procs.js';
import { startTestAgent } from './test-agent.js';
import { getEndpoint, getNodeStatus, putPlan } from './store-helpers.js';

/** The same agent on the embedded store, as `nebula up` runs it. */
describe('node agent on the embedded store', () => {
  const dir = tempDir('nebula-node-emb-');
  let store: Store | undefined;
  let agent: NodeAgentHandle | undefined;

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  it('runs a replica, serves it, and stops it when the plan goes', async () => {
    expect(existsSync(new URL('../../dist/cli/main.js', import.meta.url))).toBe(true);
    store = await openEmbeddedStore({});
    const port = await freePort();
    agent = await startTestAgent(store, {
      nodeId: 'solo',
      dataDir: dir.path,
      portRange: { start: port, end: port },
    });
    expect(await getNodeStatus(store, 'solo')).toMatchObject({ gpu_source: 'none', gpus: [] });
    await putPlan(store, plan(simSpec('emb'), 1, [assignment(0, 'solo', port)]));
    const s = store;
    const ep = await waitFor(
      async () => {
        const e = await getEndpoint(s, 'emb', 0);
        return e?.status === 'ready' ? e : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(engineSimPids(port)).toEqual([ep.pid]);
    const chat = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'emb',
        messages: [{ role: 'user', content: 'hello node' }],
        max_tokens: 4,
      }),
    });
    expect(chat.status).toBe(200);
    await store.delete(keys.placement('emb'));
    await waitFor(
      async () => (await getEndpoint(s, 'emb', 0)) === undefined && enginesOfDataDir(dir.path).length === 0,
      {
        what: 'engine stopped',
      },
    );
    await agent.stop();
    agent = undefined;
    expect(await getNodeStatus(store, 'solo')).toBeUndefined();
  });
});
