import { stopOnSignal } from '../core/shutdown.js';
import { errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { initTracing } from '../core/tracing.js';
import type { Store } from '../store/types.js';
import { resolveRouterCli, type RouterCliFlags } from './cli-options.js';
import { startRouter } from './router.js';

/** `nebula router`: runs the data plane until SIGINT/SIGTERM. */
export async function runRouter(flags: RouterCliFlags): Promise<void> {
  const cfg = resolveRouterCli(flags);
  const logger = createLogger({ component: 'router' });
  let store: Store | undefined;
  if (cfg.etcd !== undefined) {
    const { openEtcdStore } = await import('../store/etcd/index.js');
    store = await openEtcdStore({
      endpoints: cfg.etcd,
      ...(cfg.etcdNamespace !== undefined ? { namespace: cfg.etcdNamespace } : {}),
      logger,
    });
  }
  // OpenTelemetry export only when OTEL_EXPORTER_OTLP_ENDPOINT is set (a no-op otherwise).
  const tracing = await initTracing({ serviceName: 'nebula-router' });
  let router;
  try {
    router = await startRouter(cfg.options, { store, logger, tracing });
  } catch (err) {
    await store?.close().catch(() => undefined);
    await tracing.shutdown().catch(() => undefined);
    throw err;
  }
  const grpc = router.grpcPort === null ? 'off' : String(router.grpcPort);
  process.stdout.write(`nebula router: OpenAI API ${router.url}/v1 (gRPC port ${grpc})\n`);
  const handle = router;
  process.on('SIGHUP', () => handle.reload());
  await stopOnSignal({
    name: 'nebula router',
    onSignal: (sig) => logger.info({ signal: sig }, 'shutting down'),
    stop: async () => {
      await handle
        .stop()
        .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'shutdown failed'));
      await Promise.allSettled([store?.close(), tracing.shutdown()]);
    },
  });
}
