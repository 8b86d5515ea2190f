import { resolve } from 'node:path';
import { parseEtcdEndpoints, parsePort, resolveOptional } from '../core/config.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { createLogger } from '../core/logger.js';
import { initTracing } from '../core/tracing.js';
import type { Store } from '../store/types.js';
import { DEFAULT_PORT, type ServerOptions } from './options.js';
import { startServer } from './server.js';

/**
 * Flags of `nebula server` as commander hands them over: the store's address, the port as text, and the
 * options that a flag sets as it is (same name and type as in ServerOptions).
 */
export type ServerCliFlags = Pick<
  ServerOptions,
  | 'host'
  | 'routerUrl'
  | 'hfEndpoint'
  | 'modelscopeEndpoint'
  | 'dataDir'
  | 'webDir'
  | 'nodeToken'
  | 'instanceId'
  | 'trustProxy'
> & {
  etcd?: string;
  etcdNamespace?: string;
  port?: string;
};

/** Flags > NEBULA_* / hub variables > defaults (pure apart from reading `env`). */
export function resolveServerCli(
  flags: ServerCliFlags,
  env: NodeJS.ProcessEnv = process.env,
): { etcd: string[]; namespace: string | undefined; options: ServerOptions } {
  const etcdRaw = resolveOptional(flags.etcd, 'NEBULA_ETCD', env);
  if (!etcdRaw)
    throw new ConfigError(
      'nebula server needs --etcd URLS (or NEBULA_ETCD); for one machine use `nebula up`',
    );
  const portRaw = resolveOptional(flags.port, 'NEBULA_SERVER_PORT', env);
  const dataDir = resolveOptional(flags.dataDir, 'NEBULA_DATA_DIR', env);
  const options: ServerOptions = {
    port: portRaw === undefined ? DEFAULT_PORT : parsePort(portRaw, '--port'),
    host: resolveOptional(flags.host, 'NEBULA_SERVER_HOST', env) ?? '0.0.0.0',
    env,
    ...(dataDir ? { dataDir: resolve(dataDir) } : {}),
  };
  const set = <K extends keyof ServerOptions>(k: K, v: ServerOptions[K] | undefined) => {
    if (v !== undefined) options[k] = v;
  };
  set('routerUrl', resolveOptional(flags.routerUrl, 'NEBULA_ROUTER_URL', env));
  set('hfEndpoint', resolveOptional(flags.hfEndpoint, 'HF_ENDPOINT', env));
  set('modelscopeEndpoint', resolveOptional(flags.modelscopeEndpoint, 'MODELSCOPE_ENDPOINT', env));
  set('webDir', resolveOptional(flags.webDir, 'NEBULA_WEB_DIR', env));
  set('nodeToken', resolveOptional(flags.nodeToken, 'NEBULA_NODE_TOKEN', env));
  set('instanceId', resolveOptional(flags.instanceId, 'NEBULA_SERVER_INSTANCE_ID', env));
  if (flags.trustProxy) options.trustProxy = true;
  for (const [name, url] of [
    ['--router-url', options.routerUrl],
    ['--hf-endpoint', options.hfEndpoint],
    ['--modelscope-endpoint', options.modelscopeEndpoint],
  ] as const) {
    if (url === undefined) continue;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new ConfigError(`${name}: "${url}" is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new ConfigError(`${name}: "${url}" must be http:// or https://`);
  }
  return {
    etcd: parseEtcdEndpoints(etcdRaw),
    namespace: resolveOptional(flags.etcdNamespace, 'NEBULA_ETCD_NAMESPACE', env),
    options,
  };
}

/** `nebula server`: runs the control API until SIGINT/SIGTERM. */
export async function runServer(flags: ServerCliFlags): Promise<void> {
  const { etcd, namespace, options } = resolveServerCli(flags);
  const logger = createLogger({ component: 'server' });
  const { openEtcdStore } = await import('../store/etcd/index.js');
  const store: Store = await openEtcdStore({ endpoints: etcd, ...(namespace ? { namespace } : {}), logger });
  // OpenTelemetry export only when OTEL_EXPORTER_OTLP_ENDPOINT is set (a no-op otherwise).
  const tracing = await initTracing({ serviceName: 'nebula-server' });
  let handle;
  try {
    handle = await startServer(options, { store, logger, tracing });
  } catch (err) {
    await store.close().catch(() => undefined);
    await tracing.shutdown().catch(() => undefined);
    throw err;
  }
  process.stdout.write(
    `nebula server: control API ${handle.url}/api (docs ${handle.url}/api/docs, console ${handle.url}/)\n`,
  );
  const boot = handle.bootstrap;
  if (boot?.created) {
    process.stdout.write(
      `first start: created admin user "${boot.username}" with password ${boot.password ?? ''} (shown once; change it)\n`,
    );
    if (handle.adminKeyPath)
      process.stdout.write(`admin API key written to ${handle.adminKeyPath} (mode 0600)\n`);
    else process.stdout.write(`admin API key (shown once): ${boot.apiKey ?? ''}\n`);
  }
  const h = handle;
  await new Promise<void>((done) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      logger.info({ signal: sig }, 'shutting down');
      h.stop()
        .catch((err: unknown) => logger.error({ err: errorMessage(err) }, 'shutdown failed'))
        .finally(() => void Promise.allSettled([store.close(), tracing.shutdown()]).finally(done));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
