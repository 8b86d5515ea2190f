/**
 * The floor of the router's stack, for the router benchmark (`--proxy floor-http`): the smallest proxy on the
 * same parts (node:http server, undici Pool dispatch, pipelining 1), with none of the router's work (no
 * auth, no JSON inspection, no balancer, no metrics, no trace headers). Not a product: it forwards any path
 * to one upstream. argv: --port N; env UP: the upstream origin.
 */
import { createServer } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const port = Number(argv[argv.indexOf('--port') + 1]);
const pool = new Pool(process.env['UP'] ?? '', { pipelining: 1, connections: null });

const server = createServer({ noDelay: true, keepAlive: true, requestTimeout: 0 }, (req, res) => {
  if (req.url === '/healthz') {
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    const handler: Dispatcher.DispatchHandler = {
      // Its presence tells undici this is a new-style (controller) handler.
      onRequestStart() {},
      onResponseStart(_c, status, headers) {
        const h: string[] = [];
        const ct = headers['content-type'];
        const len = headers['content-length'];
        if (typeof ct === 'string') h.push('content-type', ct);
        if (typeof len === 'string') h.push('content-length', len);
        res.writeHead(status, h);
      },
      onResponseData(_c, chunk) {
        res.write(chunk);
      },
      onResponseEnd() {
        res.end();
      },
      onResponseError(_c, err) {
        res.destroy(err);
      },
    };
    pool.dispatch(
      { path: req.url ?? '/', method: 'POST', headers: ['content-type', 'application/json'], body },
      handler,
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
