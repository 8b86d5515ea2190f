import { afterAll, describe, expect, it } from 'vitest';
import { ModelEvent } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { listJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { enginesOfDataDir, killEnginesOf } from './procs.js';
import { startTestAgent } from './test-agent.js';
import { getEndpoint, putPlan } from './store-helpers.js';

/**
 * The node re-checks engine_config against the engine's contract right before it launches (defence in
 * depth: a spec can reach the store without the server's check, e.g. a restore or an older server). A
 * refused spec never spawns: the endpoint is failed with the reason, and a `failed` event says it.
 */
describe('node agent: engine_config re-check before spawn', () => {
  const dir = tempDir('nebula-node-recheck-');
  let store: Store | undefined;
  let agent: NodeAgentHandle | undefined;

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  it('refuses --host 0.0.0.0 and LD_PRELOAD written straight into a plan: failed endpoint, event, no process', async () => {
    store = await openEmbeddedStore({});
    const port = await freePort();
    agent = await startTestAgent(store, {
      nodeId: 'solo',
      dataDir: dir.path,
      portRange: { start: port, end: port },
      timing: { backoff: { initialMs: 60_000, maxMs: 60_000, resetAfterMs: 60_000 } },
    });
    const spec = simSpec('evil', {
      engine_config: {
        extra_args: ['--ttft-ms', '0', '--host', '0.0.0.0'],
        env: { LD_PRELOAD: '/tmp/evil.so' },
      },
    });
    await putPlan(store, plan(spec, 1, [assignment(0, 'solo', port)]));
    const s = store;
    const ep = await waitFor(
      async () => {
        const e = await getEndpoint(s, 'evil', 0);
        return e?.status === 'failed' && e.last_error ? e : undefined;
      },
      { timeoutMs: 20_000, what: 'endpoint failed with the reason' },
    );
    expect(ep.last_error).toMatch(
      /^engine_config refused by the sim contract: engine_config\.extra_args\[2\]: --host is managed by Nebula .*; engine_config\.env\.LD_PRELOAD: LD_PRELOAD is refused: dynamic loader variable/,
    );
    expect(ep.pid).toBeUndefined();
    const events = await waitFor(
      async () => {
        const list = (await listJson(s, keys.eventsOf('evil'), ModelEvent)).items.map((t) => t.value);
        return list.some((e) => e.type === 'failed') ? list : undefined;
      },
      { timeoutMs: 10_000, what: 'failed event' },
    );
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ level: 'error', source: 'node' });
    expect(events.find((e) => e.type === 'failed')?.message).toMatch(/--host is managed by Nebula/);
    expect(enginesOfDataDir(dir.path)).toEqual([]);
  });
});
