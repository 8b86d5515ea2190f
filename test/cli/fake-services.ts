/** Small HTTP stand-ins for a node's admin API and the router's /metrics, for CLI tests. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeService {
  port: number;
  url: string;
  /** Requests seen, as `METHOD path?query`. */
  seen: string[];
  close(): Promise<void>;
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, url: URL) => void,
): Promise<FakeService> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    handler(req, res, url);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A node admin API: logs (text, or SSE when following) and force-stop. */
export function fakeNodeAdmin(): Promise<FakeService> {
  return serve((req, res, url) => {
    const logs = /^\/admin\/models\/([a-z0-9-]+)\/replicas\/(\d+)\/logs$/.exec(url.pathname);
    if (req.method === 'GET' && logs) {
      const [, uid, rid] = logs;
      const all = Array.from({ length: 5 }, (_, i) => `${uid} r${rid} line ${i + 1}`);
      const tail = Number(url.searchParams.get('tail') ?? '100');
      const lines = all.slice(-tail);
      if (url.searchParams.get('follow')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const l of lines) res.write(`data: ${l}\n\n`);
        // Lines written "later", then the stream ends (as when the replica stops).
        setTimeout(() => {
          res.write(`: keep-alive\n\ndata: ${uid} r${rid} new line\n\n`);
          res.end();
        }, 100);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${lines.join('\n')}\n`);
      return;
    }
    const stop = /^\/admin\/models\/([a-z0-9-]+)\/stop$/.exec(url.pathname);
    if (req.method === 'POST' && stop) {
      const rid = url.searchParams.get('replica_id');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          node_id: 'node-a',
          model_uid: stop[1],
          stopped: rid === null ? [0, 1] : [Number(rid)],
        }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"NOT_FOUND","message":"no route"}}');
  });
}

/** A router that is healthy and reports traffic for one model. */
export function fakeRouter(): Promise<FakeService> {
  const metrics = [
    '# TYPE nebula_router_requests_total counter',
    'nebula_router_requests_total{model="tiny",status="200"} 90',
    'nebula_router_requests_total{model="tiny",status="500"} 10',
    '# TYPE nebula_router_request_duration_seconds histogram',
    'nebula_router_request_duration_seconds_bucket{model="tiny",le="0.1"} 50',
    'nebula_router_request_duration_seconds_bucket{model="tiny",le="0.5"} 95',
    'nebula_router_request_duration_seconds_bucket{model="tiny",le="1"} 100',
    'nebula_router_request_duration_seconds_bucket{model="tiny",le="+Inf"} 100',
    'nebula_router_request_duration_seconds_sum{model="tiny"} 20',
    'nebula_router_request_duration_seconds_count{model="tiny"} 100',
    '# TYPE nebula_router_ttft_seconds histogram',
    'nebula_router_ttft_seconds_bucket{model="tiny",le="0.05"} 80',
    'nebula_router_ttft_seconds_bucket{model="tiny",le="0.2"} 100',
    'nebula_router_ttft_seconds_bucket{model="tiny",le="+Inf"} 100',
    '# TYPE nebula_router_tokens_total counter',
    'nebula_router_tokens_total{model="tiny",type="prompt"} 1200',
    'nebula_router_tokens_total{model="tiny",type="completion"} 4800',
    '',
  ].join('\n');
  return serve((_req, res, url) => {
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metrics);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
}

/** A Hugging Face hub with two models: search (`/api/models`) and details (`/api/models/{id}`). */
export function fakeHub(): Promise<FakeService> {
  const models = [
    {
      id: 'demo/tiny-chat',
      author: 'demo',
      pipeline_tag: 'text-generation',
      downloads: 1_234_567,
      likes: 4200,
      lastModified: '2025-03-01T10:00:00.000Z',
      tags: ['chat'],
      library_name: 'transformers',
      usedStorage: 2 * 1024 ** 3,
    },
    {
      id: 'demo/tiny-embed',
      author: 'demo',
      pipeline_tag: 'feature-extraction',
      downloads: 999,
      likes: 7,
      lastModified: '2025-02-01T10:00:00.000Z',
      tags: [],
      library_name: 'sentence-transformers',
      usedStorage: 512 * 1024 ** 2,
    },
  ];
  return serve((_req, res, url) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/models') {
      const q = url.searchParams.get('search') ?? '';
      return json(
        200,
        models.filter((m) => m.id.includes(q)),
      );
    }
    const detail = /^\/api\/models\/([^/]+\/[^/]+)$/.exec(url.pathname);
    const m = detail ? models.find((x) => x.id === detail[1]) : undefined;
    if (m) {
      return json(200, {
        ...m,
        sha: 'abc123def4567890',
        siblings: [
          { rfilename: 'config.json', size: 1024 },
          { rfilename: 'model.safetensors', size: 2 * 1024 ** 3 - 1024 },
        ],
      });
    }
    return json(404, { error: 'Repository not found' });
  });
}
