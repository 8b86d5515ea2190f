/**
 * The node agent's side of engines per node, on the embedded store: the status lists what detection
 * found, the agent launches the detected executable, and a replica whose engine the node lacks fails
 * before any download with the reason and the install hint.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { startTestAgent } from './test-agent.js';
import { getEndpoint, getNodeStatus, putPlan } from './store-helpers.js';

describe('node agent: engines', () => {
  const dir = tempDir('nebula-node-engines-');
  let store: Store | undefined;
  let agent: NodeAgentHandle | undefined;

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  it('publishes detected engines, launches the configured binary, and refuses an engine it lacks', async () => {
    store = await openEmbeddedStore({});
    const bin = join(dir.path, 'opt', 'bin');
    mkdirSync(bin, { recursive: true });
    // A vllm that records how it was launched and then stays up.
    const vllm = join(bin, 'vllm');
    writeFileSync(
      vllm,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo 0.8.5; exit 0; fi\necho "$@" > "${dir.path}/vllm.argv"\nexec sleep 600\n`,
    );
    chmodSync(vllm, 0o755);
    const port = await freePort();
    agent = await startTestAgent(store, {
      nodeId: 'solo',
      dataDir: join(dir.path, 'node'),
      gpus: 'sim:1x80GiB',
      portRange: { start: port, end: port + 1 },
      engineBins: { vllm },
      enginePath: join(dir.path, 'empty'),
      engineInstallRoots: {},
      timing: { backoff: { initialMs: 60_000, maxMs: 60_000, resetAfterMs: 600_000 } },
    });
    const s = store;
    const status = await getNodeStatus(s, 'solo');
    expect(status?.engines?.map((e) => [e.type, e.version])).toEqual([
      ['sim', expect.any(String)],
      ['vllm', '0.8.5'],
    ]);
    expect(status?.engine_errors).toEqual([]);

    // llama.cpp is not on this node: the replica fails at once, with why and how to fix it.
    await putPlan(s, plan(simSpec('gguf', { engine_type: 'llamacpp' }), 1, [assignment(0, 'solo', port)]));
    const failed = await waitFor(async () => {
      const e = await getEndpoint(s, 'gguf', 0);
      return e?.status === 'failed' ? e : undefined;
    });
    expect(failed.last_error).toBe(
      'engine llamacpp is not available on node solo; install it with: nebula engine install llamacpp',
    );

    // vllm is: the agent runs the configured executable (a local model path needs no download).
    await putPlan(
      s,
      plan(simSpec('v', { engine_type: 'vllm', model_path: dir.path }), 1, [assignment(0, 'solo', port + 1)]),
    );
    const argv = await waitFor(() => {
      try {
        return readFileSync(join(dir.path, 'vllm.argv'), 'utf8');
      } catch {
        return undefined;
      }
    });
    expect(argv).toMatch(/^serve /);
    expect(argv).toContain(`--port ${port + 1}`);
  });
});
