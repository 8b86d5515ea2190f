/** The scheduler's small HTTP listener: `GET /healthz` and `GET /metrics` (seed 000 §5). */
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listen } from '../core/listen.js';

export interface HealthInfo {
  leader: boolean;
  instance_id: string;
  synced: boolean;
}

export interface HttpListener {
  port: number;
  close(): Promise<void>;
}

export async function startHttp(opts: {
  host: string;
  port: number;
  registry: Registry;
  health: () => HealthInfo;
}): Promise<HttpListener> {
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(
        405,
        JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'only GET is served here' } }),
      );
    }
    if (path === '/healthz') return send(200, JSON.stringify({ status: 'ok', ...opts.health() }));
    if (path === '/metrics') {
      opts.registry
        .metrics()
        .then((text) => send(200, text, opts.registry.contentType))
        .catch((err: unknown) =>
          send(500, JSON.stringify({ error: { code: 'METRICS_FAILED', message: String(err) } })),
        );
      return;
    }
    send(404, JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${path ?? ''}` } }));
  });
  const port = await listen(server, opts.host, opts.port);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
