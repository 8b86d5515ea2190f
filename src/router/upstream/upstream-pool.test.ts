import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/wait-for.js';
import type { UpstreamHeaders } from './response-parser.js';
import { UpstreamPool, type UpstreamController, type UpstreamPoolOptions } from './upstream-pool.js';

/** A raw TCP server: `onRequest` gets each request (head text + body) and its socket, and answers by hand. */
interface RawServer {
  server: Server;
  origin: string;
  connections: number;
  sockets: Set<Socket>;
  requests: { head: string; body: string }[];
  closedSockets: number;
}

type OnRequest = (req: { head: string; body: string }, sock: Socket, srv: RawServer) => void;

async function rawServer(onRequest: OnRequest): Promise<RawServer> {
  const srv: RawServer = {
    server: undefined as unknown as Server,
    origin: '',
    connections: 0,
    sockets: new Set(),
    requests: [],
    closedSockets: 0,
  };
  srv.server = createServer((sock) => {
    srv.connections++;
    srv.sockets.add(sock);
    sock.on('close', () => {
      srv.sockets.delete(sock);
      srv.closedSockets++;
    });
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const he = buf.indexOf('\r\n\r\n');
        if (he === -1) return;
        const head = buf.toString('latin1', 0, he);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
        if (buf.length < he + 4 + len) return;
        const req = { head, body: buf.toString('utf8', he + 4, he + 4 + len) };
        buf = buf.subarray(he + 4 + len);
        srv.requests.push(req);
        onRequest(req, sock, srv);
      }
    });
  });
  await new Promise<void>((r) => srv.server.listen(0, '127.0.0.1', r));
  const addr = srv.server.address();
  srv.origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  servers.push(srv);
  return srv;
}

const servers: RawServer[] = [];
const pools: UpstreamPool[] = [];

afterEach(async () => {
  for (const p of pools.splice(0)) p.destroy();
  for (const s of servers.splice(0)) {
    for (const sock of s.sockets) sock.destroy();
    await new Promise<void>((r) => s.server.close(() => r()));
  }
});

const OPTS: UpstreamPoolOptions = {
  connectTimeoutMs: 1000,
  headersTimeoutMs: 5000,
  bodyTimeoutMs: 5000,
  keepAliveTimeoutMs: 5000,
};

function pool(origin: string, opts: Partial<UpstreamPoolOptions> = {}): UpstreamPool {
  const p = new UpstreamPool(origin, { ...OPTS, ...opts });
  pools.push(p);
  return p;
}

interface Result {
  status: number;
  headers: Partial<UpstreamHeaders>;
  body: string;
  error: (Error & { code?: string }) | undefined;
  events: string[];
}

/** Sends one request and resolves when it ended or failed. `onData` may act on the controller. */
function send(
  p: UpstreamPool,
  opts: {
    path?: string;
    headers?: string[];
    body?: string;
    firstByteTimeoutMs?: number;
    idleTimeoutMs?: number;
  } = {},
  onData?: (c: UpstreamController, chunk: Buffer, r: Result) => void,
): { done: Promise<Result>; controller: UpstreamController } {
  const r: Result = { status: 0, headers: {}, body: '', error: undefined, events: [] };
  let controller!: UpstreamController;
  const done = new Promise<Result>((resolve) => {
    controller = p.request(
      {
        method: 'POST',
        path: opts.path ?? '/v1/chat/completions',
        headers: opts.headers ?? ['content-type', 'application/json'],
        body: Buffer.from(opts.body ?? '{"model":"m"}'),
        firstByteTimeoutMs: opts.firstByteTimeoutMs,
        idleTimeoutMs: opts.idleTimeoutMs,
      },
      {
        onHead: (_c, status, headers) => {
          r.status = status;
          r.headers = headers;
          r.events.push('head');
        },
        onData: (c, chunk) => {
          r.body += chunk.toString();
          r.events.push('data');
          onData?.(c, chunk, r);
        },
        onEnd: () => {
          r.events.push('end');
          resolve(r);
        },
        onError: (err) => {
          r.error = err;
          r.events.push('error');
          resolve(r);
        },
      },
    );
  });
  return { done, controller };
}

const ok = (body: string, extra = '') =>
  `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

const chunk = (s: string) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;

describe('UpstreamPool', () => {
  it('sends the request in one piece and reuses the connection for the next one', async () => {
    const srv = await rawServer((req, sock) => sock.write(ok(`{"echo":${JSON.stringify(req.body)}}`)));
    const p = pool(srv.origin);
    const a = await send(p, { headers: ['content-type', 'application/json', 'x-request-id', 'r1'] }).done;
    expect(a).toMatchObject({ status: 200, body: '{"echo":"{\\"model\\":\\"m\\"}"}', error: undefined });
    expect(a.events).toEqual(['head', 'data', 'end']);
    const head = srv.requests[0]?.head ?? '';
    expect(head.split('\r\n')).toEqual([
      'POST /v1/chat/completions HTTP/1.1',
      `host: ${new URL(srv.origin).host}`,
      'content-type: application/json',
      'x-request-id: r1',
      'content-length: 13',
    ]);
    await send(p).done;
    await send(p).done;
    expect(srv.connections).toBe(1);
    expect(p.idleConnections).toBe(1);
  });

  it('opens one connection per request in flight', async () => {
    const held: Socket[] = [];
    const srv = await rawServer((_req, sock) => {
      held.push(sock);
      if (held.length === 3) for (const s of held) s.write(ok('{}'));
    });
    const p = pool(srv.origin);
    const all = await Promise.all([send(p).done, send(p).done, send(p).done]);
    expect(all.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(srv.connections).toBe(3);
    expect(p.idleConnections).toBe(3);
  });

  it('passes a chunked stream on as it arrives, without its framing', async () => {
    let sockRef: Socket | undefined;
    const srv = await rawServer((_req, sock) => {
      sockRef = sock;
      sock.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n');
      sock.write(chunk('data: first\n\n'));
    });
    const p = pool(srv.origin);
    let sawFirst!: () => void;
    const first = new Promise<void>((r) => (sawFirst = r));
    const { done } = send(p, {}, (_c, _chunk, r) => {
      if (r.body === 'data: first\n\n') sawFirst();
    });
    await first; // the first event arrived while the response is still open
    sockRef?.write(`${chunk('data: second\n\n')}0\r\n\r\n`);
    const r = await done;
    expect(r.body).toBe('data: first\n\ndata: second\n\n');
    expect(r.headers['content-type']).toBe('text/event-stream');
    expect(p.idleConnections).toBe(1);
  });

  it('does not reuse a connection the engine asked to close', async () => {
    const srv = await rawServer((_req, sock) => sock.write(ok('{}', 'connection: close\r\n')));
    const p = pool(srv.origin);
    await send(p).done;
    await send(p).done;
    expect(srv.connections).toBe(2);
    expect(p.idleConnections).toBe(0);
  });

  it('sends a request again on a new connection when a reused one turns out closed (the keep-alive race)', async () => {
    let n = 0;
    const srv = await rawServer((_req, sock) => {
      n++;
      // The second request meets a connection the engine closes without answering.
      if (n === 2) sock.destroy();
      else sock.write(ok(`{"n":${n}}`));
    });
    const p = pool(srv.origin);
    expect((await send(p).done).body).toBe('{"n":1}');
    const r = await send(p).done;
    expect(r).toMatchObject({ status: 200, body: '{"n":3}', error: undefined });
    expect(r.events).toEqual(['head', 'data', 'end']);
    expect(srv.connections).toBe(2);
  });

  it('fails, without a second try, when a new connection closes before answering', async () => {
    const srv = await rawServer((_req, sock) => sock.destroy());
    const p = pool(srv.origin);
    const r = await send(p).done;
    expect(r.error?.code).toBe('UPSTREAM_CLOSED');
    expect(r.events).toEqual(['error']);
    expect(srv.requests).toHaveLength(1);
  });

  it('fails a response cut short mid-body', async () => {
    const srv = await rawServer((_req, sock) => {
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => sock.destroy(), 20);
    });
    const p = pool(srv.origin);
    const r = await send(p).done;
    expect(r.events).toEqual(['head', 'data', 'error']);
    expect(r.body).toBe('partial');
    expect(p.connections).toBe(0);
  });

  it('reports a refused connection with its code', async () => {
    const srv = await rawServer(() => undefined);
    const origin = srv.origin;
    await new Promise<void>((r) => srv.server.close(() => r()));
    servers.splice(servers.indexOf(srv), 1);
    const r = await send(pool(origin)).done;
    expect(r.error?.code).toBe('ECONNREFUSED');
  });

  it('times out a missing head and a silent body', async () => {
    const silent = await rawServer(() => undefined);
    const r1 = await send(pool(silent.origin, { headersTimeoutMs: 100 })).done;
    expect(r1.error?.code).toBe('UPSTREAM_HEADERS_TIMEOUT');
    // The engine hears of the close a little after the pool gave up.
    await waitFor(() => silent.closedSockets === 1, { timeoutMs: 5000, intervalMs: 5, what: 'the close' });
    expect(silent.closedSockets).toBe(1);

    const stalls = await rawServer((_req, sock) =>
      sock.write('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc'),
    );
    const r2 = await send(pool(stalls.origin, { bodyTimeoutMs: 100 })).done;
    expect(r2.error?.code).toBe('UPSTREAM_BODY_TIMEOUT');
    expect(r2.body).toBe('abc');
  });

  it('takes first-byte and idle timeouts per request, finer than the pool defaults', async () => {
    // The pool waits 60 s by default; these requests ask for 300 ms.
    const p = () =>
      pool(servers[servers.length - 1]!.origin, { headersTimeoutMs: 60_000, bodyTimeoutMs: 60_000 });
    await rawServer(() => undefined);
    let t0 = Date.now();
    const r1 = await send(p(), { firstByteTimeoutMs: 300 }).done;
    expect(r1.error?.code).toBe('UPSTREAM_HEADERS_TIMEOUT');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(Date.now() - t0).toBeLessThan(2_000);

    // A stream that opens (head) and then says nothing is still waiting for its first byte.
    await rawServer((_req, sock) =>
      sock.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n'),
    );
    t0 = Date.now();
    const r2 = await send(p(), { firstByteTimeoutMs: 300, idleTimeoutMs: 60_000 }).done;
    expect(r2.events).toEqual(['head', 'error']);
    expect(r2.error?.code).toBe('UPSTREAM_FIRST_BYTE_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2_000);

    // Once the body started, the idle timeout applies (a long first-byte budget does not).
    await rawServer((_req, sock) =>
      sock.write(
        'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n5\r\ndata:\r\n',
      ),
    );
    t0 = Date.now();
    const r3 = await send(p(), { firstByteTimeoutMs: 60_000, idleTimeoutMs: 300 }).done;
    expect(r3.error?.code).toBe('UPSTREAM_BODY_TIMEOUT');
    expect(r3.body).toBe('data:');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('cancels a request on abort: the engine sees its connection close', async () => {
    const srv = await rawServer((_req, sock) =>
      sock.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n'),
    );
    const p = pool(srv.origin);
    const { done } = send(p, {}, (c) => c.abort(new Error('client went away')));
    const r = await done;
    expect(r.error?.message).toBe('client went away');
    expect(r.events).toEqual(['head', 'data', 'error']);
    await waitFor(() => srv.closedSockets === 1, { timeoutMs: 5000, intervalMs: 5, what: 'the close' });
    expect(srv.closedSockets).toBe(1);
    expect(p.connections).toBe(0);
  });

  it('stops reading while paused, without timing out, and delivers everything after resume', async () => {
    const size = 8 * 1024 * 1024;
    const srv = await rawServer((_req, sock) => {
      sock.write(`HTTP/1.1 200 OK\r\ncontent-length: ${size}\r\n\r\n`);
      sock.write(Buffer.alloc(size, 'x'));
    });
    const p = pool(srv.origin, { bodyTimeoutMs: 100 });
    let received = 0;
    let paused: UpstreamController | undefined;
    let pausedAt = 0;
    const r: Result = { status: 0, headers: {}, body: '', error: undefined, events: [] };
    const done = new Promise<void>((resolve) => {
      p.request(
        { method: 'POST', path: '/', headers: [], body: Buffer.from('{}') },
        {
          onHead: () => undefined,
          onData: (c, chunk) => {
            received += chunk.length;
            if (paused === undefined) {
              paused = c;
              pausedAt = p.coarseNow;
              c.pause();
            }
          },
          onEnd: () => resolve(),
          onError: (err) => {
            r.error = err;
            resolve();
          },
        },
      );
    });
    // Nothing must happen while paused. The pool has no injectable clock (its sweeper reads Date.now()), so
    // this waits in real time, but for the sweeper's own clock rather than a guess: once it has passed
    // several body timeouts (100 ms each) since the pause, a sweep has seen the exchange overdue. (A sweep
    // that fails it stops the sweeper: the error ends the wait too, for the assertion below to report.)
    await waitFor(() => paused !== undefined && (r.error !== undefined || p.coarseNow - pausedAt > 300), {
      timeoutMs: 5000,
      intervalMs: 10,
      what: 'the sweeper to pass several body timeouts',
    });
    const whilePaused = received;
    expect(whilePaused).toBeLessThan(size);
    expect(r.error).toBeUndefined();
    paused?.resume();
    await done;
    expect(r.error).toBeUndefined();
    expect(received).toBe(size);
  });

  it('closes idle connections after the keep-alive timeout, or sooner when the engine says so', async () => {
    const srv = await rawServer((_req, sock) => sock.write(ok('{}')));
    const p = pool(srv.origin, { keepAliveTimeoutMs: 150 });
    await send(p).done;
    expect(p.idleConnections).toBe(1);
    // Within the same 400 ms bound as before (keep-alive 150 ms, swept every 37 ms), but no longer.
    await waitFor(() => p.connections === 0 && srv.closedSockets === 1, {
      timeoutMs: 400,
      intervalMs: 10,
      what: 'the idle connection to close',
    });
    expect(p.connections).toBe(0);
    expect(srv.closedSockets).toBe(1);

    const hinting = await rawServer((_req, sock) => sock.write(ok('{}', 'keep-alive: timeout=1\r\n')));
    const q = pool(hinting.origin, { keepAliveTimeoutMs: 60_000, headersTimeoutMs: 400 });
    await send(q).done;
    // The hint (1 s, less a second) closes it at the next sweep (100 ms): well within 300 ms, not 60 s.
    await waitFor(() => q.connections === 0, { timeoutMs: 300, intervalMs: 10, what: 'the hinted close' });
    expect(q.connections).toBe(0);
  });

  it('never writes a header that could end a line, and sends nothing then', async () => {
    const srv = await rawServer((_req, sock) => sock.write(ok('{}')));
    const p = pool(srv.origin);
    const r = await send(p, { headers: ['x-evil', 'a\r\nx-injected: 1'] }).done;
    expect(r.error?.code).toBe('UPSTREAM_REQUEST');
    const r2 = await send(p, { path: '/v1\r\nx: y' }).done;
    expect(r2.error?.code).toBe('UPSTREAM_REQUEST');
    expect(srv.connections).toBe(0);
  });

  it('drops a connection that answered garbage or spoke out of turn', async () => {
    const srv = await rawServer((_req, sock) => sock.write('SMTP ready\r\n\r\n'));
    const p = pool(srv.origin);
    const r = await send(p).done;
    expect(r.error?.code).toBe('UPSTREAM_PROTOCOL');
    expect(p.connections).toBe(0);

    const chatty = await rawServer((_req, sock) => {
      sock.write(ok('{}'));
      setTimeout(() => sock.write('unexpected'), 20);
    });
    const q = pool(chatty.origin);
    await send(q).done;
    // The stray bytes come 20 ms after the answer.
    await waitFor(() => q.connections === 0, {
      timeoutMs: 5000,
      intervalMs: 5,
      what: 'the chatty connection to go',
    });
    expect(q.connections).toBe(0);
    expect((await send(q).done).status).toBe(200);
    expect(chatty.connections).toBe(2);
  });

  it('fails what is in flight when destroyed, and refuses new requests', async () => {
    const srv = await rawServer(() => undefined);
    const p = pool(srv.origin);
    const { done } = send(p);
    // In flight: the engine has the request (and never answers).
    await waitFor(() => srv.requests.length === 1, { timeoutMs: 5000, intervalMs: 5, what: 'the request' });
    p.destroy();
    expect((await done).error?.code).toBe('UPSTREAM_CLOSED');
    expect((await send(p).done).error?.code).toBe('UPSTREAM_CLOSED');
  });

  it('speaks TLS to an https upstream and checks its certificate', async () => {
    // A throwaway self-signed certificate for 127.0.0.1 (Debian's openssl).
    const dir = mkdtempSync(join(tmpdir(), 'nebula-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      const key = readFileSync(join(dir, 'key.pem'));
      let conns = 0;
      const tlsServer = createTlsServer({ cert, key }, (sock) => {
        conns++;
        sock.on('error', () => undefined);
        sock.on('data', () => sock.write(ok('{"tls":true}')));
      });
      await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
      const addr = tlsServer.address();
      const origin = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      try {
        const trusted = pool(origin, { ca: cert });
        expect((await send(trusted).done).body).toBe('{"tls":true}');
        expect((await send(trusted).done).body).toBe('{"tls":true}');
        expect(conns).toBe(1);
        // Without the CA the certificate is refused and nothing is sent.
        const r = await send(pool(origin)).done;
        expect(r.error?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      } finally {
        for (const p of pools.splice(0)) p.destroy();
        await new Promise<void>((r) => tlsServer.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
