/** An in-process control API on a free port with an in-memory embedded store and a known admin. */
import type { ServerHandle } from '../../src/server/index.js';
import { startServer } from '../../src/server/index.js';
import { NO_HUB } from '../helpers/no-hub.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';

export const ADMIN_PASSWORD = 'admin-pass-1234';

export interface TestServer {
  url: string;
  adminKey: string;
  store: Store;
  server: ServerHandle;
  stop(): Promise<void>;
}

export async function startTestServer(
  opts: { routerUrl?: string; hfEndpoint?: string } = {},
): Promise<TestServer> {
  const store = await openEmbeddedStore({});
  let server: ServerHandle;
  try {
    server = await startServer(
      {
        port: 0,
        host: '127.0.0.1',
        adminPassword: ADMIN_PASSWORD,
        rateLimit: false,
        loginRateLimit: false,
        validateResponses: true,
        outboundTimeoutMs: 2000,
        env: {},
        ...(opts.routerUrl ? { routerUrl: opts.routerUrl } : {}),
        // Tests never reach a real hub: a closed local port unless a fake hub is given (connection refused
        // at once; the model files facts reader then records why it learned nothing).
        hfEndpoint: opts.hfEndpoint ?? NO_HUB,
        modelscopeEndpoint: NO_HUB,
      },
      { store },
    );
  } catch (err) {
    await store.close();
    throw err;
  }
  const adminKey = server.bootstrap?.apiKey;
  if (!adminKey) throw new Error('the server did not bootstrap an admin key');
  return {
    url: server.url,
    adminKey,
    store,
    server,
    async stop() {
      await server.stop();
      await store.close();
    },
  };
}
