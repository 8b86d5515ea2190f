/** Response helpers of the fake hubs: JSON, and file bodies with Range, HEAD and injected failures. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContentSource } from './content.js';
import type { FailureRules, RequestInfo } from './failures.js';

export interface RequestLogEntry {
  method: string;
  /** Decoded path and query. */
  path: string;
  hub: 'huggingface' | 'modelscope' | 'cdn' | 'unknown';
  /** The Range header, when sent. */
  range?: string;
  /** True when an Authorization header came with the request. */
  auth: boolean;
  status: number;
  /** Body bytes written (after failures). */
  bytes: number;
  at: number;
}

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path segments, each decoded. */
  segs: string[];
  info: RequestInfo;
  log: RequestLogEntry;
  failures: FailureRules;
  /** The hub's own base URL (http://127.0.0.1:port). */
  base: string;
}

export function sendJson(
  ctx: Ctx,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  ctx.log.status = status;
  ctx.log.bytes = Buffer.byteLength(text);
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text);
}

export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) throw new Error('body too large');
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a single-range `bytes=` header: [start, end) or 'unsatisfiable'; undefined for no/ignored range. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size };
  }
  const start = Number(a);
  const end = b === '' ? size : Math.min(size, Number(b) + 1);
  if (start >= size || end <= start) return 'unsatisfiable';
  return { start, end };
}

function waitDrainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Serves a file: 200 or 206 (Range), 416, HEAD without body; applies drop / corrupt / throttle rules that
 * match the request.
 */
export async function sendFile(ctx: Ctx, src: ContentSource, headers: Record<string, string>): Promise<void> {
  const { req, res } = ctx;
  const size = src.size;
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    ctx.log.status = 416;
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
    res.end();
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size;
  const status = range ? 206 : 200;
  const h: Record<string, string> = {
    ...headers,
    'Accept-Ranges': 'bytes',
    'Content-Length': String(end - start),
    'Content-Type': 'application/octet-stream',
  };
  if (range) h['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  ctx.log.status = status;
  if (req.method === 'HEAD') {
    res.writeHead(status, h);
    res.end();
    return;
  }
  const drop = ctx.failures.take('drop', ctx.info);
  const corrupt = drop ? undefined : ctx.failures.take('corrupt', ctx.info);
  const bps = ctx.failures.throttle(ctx.info);
  let corruptAt = corrupt ? (corrupt.at ?? Math.floor(size / 2)) : -1;
  if (corrupt && (corruptAt < start || corruptAt >= end)) corruptAt = start;
  res.writeHead(status, h);
  res.flushHeaders();
  let pos = start;
  let sent = 0;
  const t0 = Date.now();
  for (const piece of src.pieces(start, end)) {
    let chunk = piece;
    if (corruptAt >= pos && corruptAt < pos + chunk.length) {
      chunk = Buffer.from(chunk);
      chunk[corruptAt - pos] = (chunk[corruptAt - pos] ?? 0) ^ 0xff;
    }
    pos += piece.length;
    const slices: Buffer[] = [];
    if (bps) {
      const step = Math.max(1, Math.floor(bps / 20));
      for (let o = 0; o < chunk.length; o += step) slices.push(chunk.subarray(o, o + step));
    } else {
      slices.push(chunk);
    }
    for (let s of slices) {
      if (res.destroyed) return;
      if (drop && sent + s.length >= drop.afterBytes) {
        s = s.subarray(0, drop.afterBytes - sent);
        sent += s.length;
        ctx.log.bytes = sent;
        // Hand the bytes to the socket, then cut the connection mid-body.
        await new Promise<void>((r) => (s.length ? res.write(s, () => r()) : r()));
        res.socket?.destroy();
        res.destroy();
        return;
      }
      sent += s.length;
      ctx.log.bytes = sent;
      if (!res.write(s)) await waitDrainOrClose(res);
      if (bps) {
        const due = t0 + (sent / bps) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
    }
  }
  res.end();
}
