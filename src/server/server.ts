import { serve, type ServerType } from '@hono/node-server';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { ComponentStatus } from '../core/domain/index.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import { nebulaVersion } from '../core/version.js';
import { encode } from '../store/json.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import { createApp, type NebulaApp } from './app.js';
import {
  adminKeyPath as adminKeyFile,
  bootstrapAdmin,
  checkAdminKeyFile,
  writeAdminKeyFile,
  type BootstrapResult,
} from './auth/bootstrap.js';
import { watchJwtSecret } from './auth/jwt-secret.js';
import { describeFix, ensurePrivateDir, ensurePrivateFile } from '../core/private-files.js';
import { DEFAULT_PORT, type ServerDeps, type ServerOptions } from './options.js';

export interface ServerHandle {
  port: number;
  /** Base URL for clients (`http://127.0.0.1:<port>` when listening on all interfaces). */
  url: string;
  app: NebulaApp;
  /** What the first-start bootstrap did (password and key only when it created them, once). */
  bootstrap: BootstrapResult | undefined;
  /** Where the admin key was written (only on the first start with a data dir). */
  adminKeyPath: string | undefined;
  stop(): Promise<void>;
}

const COMPONENT_TTL_SECONDS = 15;

/**
 * Starts the control API: bootstraps the first admin (writing `<dataDir>/admin.key` when it does),
 * listens, and registers the instance at `/components/server/{id}` under a lease. `stop()` closes the
 * listener (dropping open log streams) and revokes the registration.
 */
export async function startServer(options: ServerOptions, deps: ServerDeps): Promise<ServerHandle> {
  const logger = deps.logger;
  let bootstrap: BootstrapResult | undefined;
  let adminKeyPath: string | undefined;
  if (options.dataDir) {
    // admin.key and the data dir are owner-only; looser ones (older versions, a copy) are fixed now.
    for (const fix of [ensurePrivateDir(options.dataDir), ensurePrivateFile(adminKeyFile(options.dataDir))]) {
      if (fix) logger?.warn({ path: fix.path }, `insecure permissions fixed: ${describeFix(fix)}`);
    }
  }
  if (options.bootstrap ?? true) {
    if (options.dataDir) await checkAdminKeyFile(deps.store, options.dataDir);
    bootstrap = await bootstrapAdmin(deps.store, {
      ...(options.adminUsername ? { username: options.adminUsername } : {}),
      ...(options.adminPassword ? { password: options.adminPassword } : {}),
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    if (bootstrap.created && bootstrap.apiKey && options.dataDir)
      adminKeyPath = writeAdminKeyFile(options.dataDir, bootstrap.apiKey);
  }
  const app = await createApp(deps, { viewCache: true, ...options });
  // Models from before revisions get revision 1 (their spec as it is); reads do the same lazily.
  const backfilled = await app.context.models.backfillRevisions().catch((err: unknown) => {
    logger?.warn({ err: String(err) }, 'revision backfill failed; histories start on first read');
    return 0;
  });
  if (backfilled > 0) logger?.info({ models: backfilled }, 'revision histories started');
  // A rotation by another instance, or a restore of a backup with the secret: sign and verify with the
  // stored secret as soon as it changes (a configured NEBULA_JWT_SECRET is not in the store).
  const secretWatch =
    app.context.options.jwtSecret === undefined
      ? watchJwtSecret(
          deps.store,
          (secret) => {
            app.context.jwtSecret = secret;
          },
          { clock: app.context.clock, ...(logger ? { logger } : {}) },
        )
      : undefined;
  try {
    await secretWatch?.start();
  } catch (err) {
    await secretWatch?.stop().catch(() => undefined);
    await app.context.views.stop();
    throw err;
  }
  const host = options.host ?? '0.0.0.0';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? DEFAULT_PORT, hostname: host }, () =>
      resolve(s),
    );
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await secretWatch?.stop().catch(() => undefined);
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${clientHost.includes(':') ? `[${clientHost}]` : clientHost}:${port}`;

  const instanceId = (options.instanceId ?? `${hostname()}-${process.pid}`)
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 128);
  const clock = app.context.clock;
  const register = async (lease: string) => {
    const now = new Date(clock.now()).toISOString();
    const status = ComponentStatus.parse({
      role: 'server',
      instance_id: instanceId,
      address: host === '0.0.0.0' || host === '::' ? hostname() : host,
      port,
      metrics_url: `${url}/metrics`,
      version: nebulaVersion(),
      started_at: now,
      heartbeat_at: now,
    });
    await deps.store.put(keys.component('server', instanceId), encode(ComponentStatus, status), { lease });
  };
  const keeper = new LeaseKeeper(deps.store, {
    ttlSeconds: COMPONENT_TTL_SECONDS,
    clock,
    ...(logger ? { logger } : {}),
    onRenewedAfterLoss: (lease) =>
      register(lease).catch((err) =>
        logger?.warn({ err: errorMessage(err) }, 'could not re-register the server'),
      ),
  });
  try {
    await register(await keeper.start());
  } catch (err) {
    await keeper.stop().catch(() => undefined);
    await new Promise<void>((r) => server.close(() => r()));
    await secretWatch?.stop().catch(() => undefined);
    await app.context.views.stop();
    throw err;
  }
  logger?.info({ url, instance_id: instanceId }, 'control API listening');

  let stopped = false;
  return {
    port,
    url,
    app,
    bootstrap,
    adminKeyPath,
    async stop() {
      if (stopped) return;
      stopped = true;
      await keeper.stop(true).catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        const s = server as ServerType & { closeAllConnections?: () => void };
        s.closeAllConnections?.();
      });
      await secretWatch?.stop().catch(() => undefined);
      await app.context.views.stop();
    },
  };
}
