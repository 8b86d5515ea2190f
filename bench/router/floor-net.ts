/**
 * What the node:http server costs, for the router benchmark (`--proxy floor-net`): floor-http.ts with the
 * server side replaced by a bare `net` server that splits requests on the blank line and Content-Length and
 * writes the response head by hand. Measurement only: it understands exactly the load generator's requests
 * (no chunked request bodies, no limits, no validation) and must never face a real client.
 * argv: --port N; env UP: the upstream origin.
 */
import { createServer } from 'node:net';
import { Pool, type Dispatcher } from 'undici';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const port = Number(argv[argv.indexOf('--port') + 1]);
const pool = new Pool(process.env['UP'] ?? '', { pipelining: 1, connections: null });
const END_OF_HEAD = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

createServer({ noDelay: true }, (sock) => {
  let buf: Buffer = Buffer.alloc(0);
  sock.on('error', () => undefined);
  sock.on('data', (d: Buffer) => {
    buf = buf.length > 0 ? Buffer.concat([buf, d]) : d;
    for (;;) {
      const he = buf.indexOf(END_OF_HEAD);
      if (he < 0) return;
      const head = buf.toString('latin1', 0, he);
      const len = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
      if (buf.length < he + 4 + len) return;
      const body = buf.subarray(he + 4, he + 4 + len);
      const sp = head.indexOf(' ');
      const path = head.slice(sp + 1, head.indexOf(' ', sp + 1));
      buf = buf.subarray(he + 4 + len);
      if (path === '/healthz') {
        sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        continue;
      }
      let chunked = false;
      const out: Buffer[] = [];
      const handler: Dispatcher.DispatchHandler = {
        // Its presence tells undici this is a new-style (controller) handler.
        onRequestStart() {},
        onResponseStart(_c, status, headers) {
          let h = `HTTP/1.1 ${status} OK\r\ncontent-type: ${String(headers['content-type'])}\r\n`;
          const cl = headers['content-length'];
          if (typeof cl === 'string') h += `content-length: ${cl}\r\n\r\n`;
          else {
            h += 'transfer-encoding: chunked\r\n\r\n';
            chunked = true;
          }
          out.push(Buffer.from(h, 'latin1'));
        },
        onResponseData(_c, chunk) {
          if (!chunked) {
            out.push(chunk);
            return;
          }
          const size = Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1');
          sock.write(Buffer.concat([...out.splice(0), size, chunk, Buffer.from('\r\n')]));
        },
        onResponseEnd() {
          if (chunked) out.push(LAST_CHUNK);
          sock.write(Buffer.concat(out));
        },
        onResponseError() {
          sock.destroy();
        },
      };
      pool.dispatch({ path, method: 'POST', headers: ['content-type', 'application/json'], body }, handler);
    }
  });
}).listen(port, '127.0.0.1');
