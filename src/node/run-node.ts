import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { stopOnSignal } from '../core/shutdown.js';
import { openEtcdStore } from '../store/etcd/index.js';
import { startNodeAgent } from './agent.js';
import { resolveNodeCliConfig, type NodeCliFlags } from './cli-options.js';

/** `nebula node`: runs the agent against etcd until SIGINT/SIGTERM. */
export async function runNodeAgent(flags: NodeCliFlags): Promise<void> {
  const cfg = resolveNodeCliConfig(flags);
  const logger = createLogger({ component: 'node' });
  const store = await openEtcdStore({
    endpoints: cfg.etcd,
    ...(cfg.etcdNamespace ? { namespace: cfg.etcdNamespace } : {}),
    logger,
  });
  let agent;
  try {
    agent = await startNodeAgent(cfg.agent, { store, logger });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
  process.stdout.write(
    `nebula node ${agent.nodeId}: admin API ${agent.adminUrl} (data dir ${cfg.agent.dataDir})\n`,
  );
  const handle = agent;
  await stopOnSignal({
    name: 'nebula node',
    onSignal: (sig) => logger.info({ signal: sig, keep_engines: cfg.keepEnginesOnExit }, 'shutting down'),
    stop: async () => {
      await handle
        .stop({ keepEngines: cfg.keepEnginesOnExit })
        .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'shutdown failed'));
      await store.close();
    },
  });
}
