import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Registry } from 'prom-client';
import { isValidModelUid } from '../core/ids.js';
import {
  fileSize,
  listReplicaLogs,
  readRange,
  replicaLogDir,
  replicaLogPath,
  tailFile,
} from './engine/index.js';
import type { ReplicaView } from './replica/index.js';

export interface AdminApiDeps {
  nodeId: string;
  dataDir: string;
  /** Shared token the server presents as `Authorization: Bearer <token>`; /admin/* is open without one. */
  token?: string | undefined;
  registry: Registry;
  replicas(): ReplicaView[];
  forceStop(modelUid: string, replicaId?: number): Promise<number[]>;
  /** How often a followed log is checked for new lines. */
  followPollMs?: number;
}

const MAX_TAIL = 10_000;
const FOLLOW_CHUNK = 256 * 1024;

function apiError(c: Context, status: 400 | 401 | 404, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Parses a non-negative integer query/path value; undefined when absent, NaN when malformed. */
function intParam(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]{1,6}$/.test(raw)) return Number.NaN;
  const n = Number(raw);
  return n > max ? Number.NaN : n;
}

/**
 * The node's admin HTTP API (seed 000: node health, metrics and `POST /admin/models/{uid}/stop`).
 * `/healthz` and `/metrics` are open; `/admin/*` needs the shared token when one is configured (and the
 * agent binds to loopback only when none is).
 */
export function createAdminApp(deps: AdminApiDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    const engines = { downloading: 0, starting: 0, ready: 0, draining: 0, failed: 0, stopping: 0 };
    for (const r of deps.replicas()) if (r.status) engines[r.status] += 1;
    return c.json({ status: 'ok', node_id: deps.nodeId, engines });
  });

  app.get('/metrics', async (c) => {
    const body = await deps.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.registry.contentType });
  });

  app.use('/admin/*', async (c, next) => {
    if (deps.token) {
      const m = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
      if (!m?.[1] || !sameSecret(m[1], deps.token)) {
        return apiError(c, 401, 'UNAUTHORIZED', 'missing or invalid admin token');
      }
    }
    await next();
  });

  app.get('/admin/replicas', (c) => c.json({ node_id: deps.nodeId, replicas: deps.replicas() }));

  app.get('/admin/models/:uid/replicas/:rid/logs', (c) => {
    const uid = c.req.param('uid');
    const rid = intParam(c.req.param('rid'), 9999);
    if (!isValidModelUid(uid))
      return apiError(c, 400, 'INVALID_MODEL_UID', `invalid model_uid "${uid.slice(0, 80)}"`);
    if (rid === undefined || Number.isNaN(rid))
      return apiError(c, 400, 'INVALID_REPLICA_ID', 'replica id must be 0-9999');
    const tail = intParam(c.req.query('tail'), MAX_TAIL);
    const restart = intParam(c.req.query('restart'), 1_000_000);
    if (Number.isNaN(tail)) return apiError(c, 400, 'INVALID_ARGUMENT', `tail must be 0-${MAX_TAIL}`);
    if (Number.isNaN(restart)) return apiError(c, 400, 'INVALID_ARGUMENT', 'restart must be a launch number');

    // Paths are built from the validated uid and numbers only: a request cannot name another file.
    const currentPath = (): string | undefined => {
      if (restart !== undefined) return replicaLogPath(deps.dataDir, uid, rid, restart);
      const live = deps.replicas().find((r) => r.model_uid === uid && r.replica_id === rid)?.log_path;
      return live ?? listReplicaLogs(replicaLogDir(deps.dataDir, uid, rid)).at(-1)?.path;
    };
    const path = currentPath();
    if (!path || fileSize(path) === undefined) {
      return apiError(c, 404, 'LOGS_NOT_FOUND', `no logs for ${uid} replica ${rid} on node ${deps.nodeId}`);
    }
    const lines = tail ?? 100;
    const follow = /^(1|true|yes)$/i.test(c.req.query('follow') ?? '');
    if (!follow) {
      return c.text(tailFile(path, lines), 200, { 'x-nebula-log-file': basename(path) });
    }
    const pollMs = deps.followPollMs ?? 500;
    return streamSSE(c, async (stream) => {
      let file = path;
      let offset = fileSize(file) ?? 0;
      let partial = '';
      let idle = 0;
      const emit = async (text: string) => {
        partial += text;
        const parts = partial.split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) await stream.writeSSE({ data: line.replace(/\r$/, '') });
      };
      for (const line of tailFile(file, lines).split('\n').slice(0, -1))
        await stream.writeSSE({ data: line });
      while (!stream.aborted && !stream.closed) {
        await stream.sleep(pollMs);
        const now = currentPath();
        if (now && now !== file && fileSize(now) !== undefined) {
          if (partial) await emit('\n');
          file = now;
          offset = 0;
          await stream.writeSSE({ event: 'file', data: basename(file) });
        }
        const size = fileSize(file) ?? 0;
        if (size < offset) offset = 0; // truncated or replaced
        if (size > offset) {
          const chunk = readRange(file, offset, Math.min(size, offset + FOLLOW_CHUNK));
          offset += chunk.length;
          await emit(chunk.toString('utf8'));
          idle = 0;
        } else if ((idle += pollMs) >= 15_000) {
          // Comment line: keeps proxies from closing an idle stream, and finds dead clients.
          await stream.write(': keep-alive\n\n');
          idle = 0;
        }
      }
    });
  });

  app.post('/admin/models/:uid/stop', async (c) => {
    const uid = c.req.param('uid');
    if (!isValidModelUid(uid))
      return apiError(c, 400, 'INVALID_MODEL_UID', `invalid model_uid "${uid.slice(0, 80)}"`);
    const rid = intParam(c.req.query('replica_id'), 9999);
    if (Number.isNaN(rid)) return apiError(c, 400, 'INVALID_REPLICA_ID', 'replica_id must be 0-9999');
    const stopped = await deps.forceStop(uid, rid);
    if (stopped.length === 0) {
      const which = rid === undefined ? '' : ` replica ${rid}`;
      return apiError(
        c,
        404,
        'REPLICA_NOT_FOUND',
        `no local replica of ${uid}${which} on node ${deps.nodeId}`,
      );
    }
    return c.json({ node_id: deps.nodeId, model_uid: uid, stopped, reason: 'force-stopped by operator' });
  });

  app.notFound((c) => apiError(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => c.json({ error: { code: 'INTERNAL', message: err.message } }, 500));
  return app;
}

export interface AdminServer {
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Serves the app on `host:port` (port 0 picks a free one). */
export async function startAdminServer(app: Hono, host: string, port: number): Promise<AdminServer> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Followed logs (SSE) would keep the server open forever.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
