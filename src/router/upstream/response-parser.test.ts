import { describe, expect, it } from 'vitest';
import {
  keepAliveHintS,
  ResponseParser,
  UpstreamProtocolError,
  type UpstreamHeaders,
} from './response-parser.js';

interface Seen {
  status: number;
  headers: Partial<UpstreamHeaders>;
  body: string;
  complete: boolean | undefined;
}

function parser(noBody = false): { p: ResponseParser; seen: Seen } {
  const seen: Seen = { status: 0, headers: {}, body: '', complete: undefined };
  const p = new ResponseParser({
    onHead: (status, headers) => {
      seen.status = status;
      seen.headers = headers;
    },
    onBody: (c) => (seen.body += c.toString('latin1')),
    onComplete: (keepAlive) => (seen.complete = keepAlive),
  });
  p.reset(noBody);
  return { p, seen };
}

/** Feeds `raw` cut at `cuts` (byte offsets), as reads from a socket would arrive. */
function feedCut(raw: string, cuts: number[]): Seen {
  const { p, seen } = parser();
  const b = Buffer.from(raw, 'latin1');
  let at = 0;
  for (const c of [...cuts, b.length]) {
    if (c > at) p.feed(b.subarray(at, c));
    at = Math.max(at, c);
  }
  return seen;
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n' +
  '7\r\ndata: a\r\n' +
  '0b;ext=1\r\ndata: bcd\n\n\r\n' +
  '3\r\nxyz\r\n' +
  '0\r\ntrailer-one: 1\r\n\r\n';

describe('ResponseParser', () => {
  it('reads a sized body whole, and at every split of its bytes', () => {
    const raw = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"ok":true}';
    for (let cut = 0; cut <= raw.length; cut++) {
      const seen = feedCut(raw, [cut]);
      expect(seen, `cut at ${cut}`).toEqual({
        status: 200,
        headers: {
          'content-type': 'application/json',
          'content-length': '11',
          'retry-after': undefined,
          'keep-alive': undefined,
        },
        body: '{"ok":true}',
        complete: true,
      });
    }
    // One byte per read.
    expect(
      feedCut(
        raw,
        Array.from({ length: raw.length }, (_, i) => i),
      ).body,
    ).toBe('{"ok":true}');
  });

  it('removes chunk framing, skips extensions and trailers, at every split and byte by byte', () => {
    for (let a = 0; a <= CHUNKED.length; a += 3) {
      for (let b = a; b <= CHUNKED.length; b += 7) {
        const seen = feedCut(CHUNKED, [a, b]);
        expect(seen.body, `cuts ${a},${b}`).toBe('data: adata: bcd\n\nxyz');
        expect(seen.complete).toBe(true);
      }
    }
    const seen = feedCut(
      CHUNKED,
      Array.from({ length: CHUNKED.length }, (_, i) => i),
    );
    expect(seen.body).toBe('data: adata: bcd\n\nxyz');
    expect(seen.complete).toBe(true);
  });

  it('completes only at the end of the last chunk', () => {
    const { p, seen } = parser();
    p.feed(Buffer.from(CHUNKED.slice(0, -2), 'latin1'));
    expect(seen.complete).toBeUndefined();
    p.feed(Buffer.from('\r\n'));
    expect(seen.complete).toBe(true);
    expect(p.done).toBe(true);
  });

  it('lets chunked framing win over a content-length', () => {
    const raw =
      'HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n';
    expect(feedCut(raw, [])).toMatchObject({ body: 'hi', complete: true });
  });

  it('skips interim 1xx responses', () => {
    const raw =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n' +
      'HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok';
    expect(feedCut(raw, [10, 30])).toMatchObject({ status: 201, body: 'ok', complete: true });
  });

  it('knows which responses have no body', () => {
    expect(feedCut('HTTP/1.1 204 No Content\r\n\r\n', [])).toMatchObject({ status: 204, complete: true });
    expect(feedCut('HTTP/1.1 304 Not Modified\r\ncontent-length: 50\r\n\r\n', [])).toMatchObject({
      complete: true,
    });
    const { p, seen } = parser(true);
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n'));
    expect(seen.complete).toBe(true);
    expect(feedCut('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', [])).toMatchObject({ complete: true });
  });

  it('says when the connection may carry another request', () => {
    const ka = (raw: string) => feedCut(raw, []).complete;
    expect(ka('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')).toBe(true);
    expect(ka('HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n')).toBe(false);
    expect(ka('HTTP/1.1 200 OK\r\nconnection: upgrade, Close\r\ncontent-length: 0\r\n\r\n')).toBe(false);
    expect(ka('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n')).toBe(false);
    expect(ka('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n')).toBe(true);
  });

  it('reads a body without framing until the connection ends', () => {
    const { p, seen } = parser();
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nsome'));
    p.feed(Buffer.from(' more'));
    expect(seen.complete).toBeUndefined();
    p.end();
    expect(seen).toMatchObject({ body: 'some more', complete: false });
  });

  it('keeps only the headers the router uses, joining repeats', () => {
    const seen = feedCut(
      'HTTP/1.1 429 Too Many Requests\r\nX-A: 1\r\nSet-Cookie: a=1\r\nRetry-After: 3\r\n' +
        'Content-Type: text/plain\r\ncontent-type: charset=x\r\nKEEP-ALIVE: timeout=5\r\nServer: uvicorn\r\n' +
        'content-length: 0\r\n\r\n',
      [],
    );
    expect(seen.headers).toEqual({
      'content-type': 'text/plain, charset=x',
      'content-length': '0',
      'retry-after': '3',
      'keep-alive': 'timeout=5',
    });
  });

  /** What the parser says of `raw` fed whole: 'accepted', or the protocol error's reason. */
  const bad = (raw: string) => {
    try {
      const { p } = parser();
      p.feed(Buffer.from(raw, 'latin1'));
      p.end();
      return 'accepted';
    } catch (err) {
      expect(err).toBeInstanceOf(UpstreamProtocolError);
      return (err as Error).message.replace('upstream protocol error: ', '');
    }
  };

  it.each([
    ['HTTP/2 200 OK\r\n\r\n', 'malformed status line'],
    ['HTTP/1.1 20 OK\r\n\r\n', 'malformed status line'],
    ['HTTP/1.1 200 OK\r\nno colon\r\n\r\n', 'malformed header line'],
    ['HTTP/1.1 200 OK\r\ncontent-length : 1\r\n\r\nx', 'malformed header name'],
    ['HTTP/1.1 200 OK\r\nx-other\t: 1\r\ncontent-length: 0\r\n\r\n', 'malformed header name'],
    ['HTTP/1.1 200 OK\r\n folded: x\r\n\r\n', 'malformed header name'],
    ['HTTP/1.1 200 OK\r\ncontent-type: a\rb\r\n\r\n', 'malformed header value'],
    ['HTTP/1.1 200 OK\r\nretry-after: 1\x01\r\n\r\n', 'malformed header value'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 1\nx: y\r\n\r\nx', 'malformed header value'],
    ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', 'invalid content-length'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nx', 'conflicting content-length'],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'invalid chunk size'],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc', 'chunk data not followed by CRLF'],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\nab\r\n', 'chunk size line not ended by CRLF'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxy', 'bytes after the end of the response'],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'unexpected protocol switch'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab', 'connection closed mid-body'],
    ['HTTP/1.1 200 OK\r\n', 'connection closed before the response'],
    [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70 * 1024)}`, 'response head too large'],
    ['HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', 'accepted'],
  ])('refuses malformed responses: case %# -> %s', (raw, why) => {
    expect(bad(raw)).toBe(why);
  });

  it('is reusable for the next response on the connection', () => {
    const { p, seen } = parser();
    p.feed(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na'));
    expect(seen.body).toBe('a');
    p.reset();
    expect(p.headSeen).toBe(false);
    p.feed(Buffer.from('HTTP/1.1 404 Not Found\r\ncontent-length: 1\r\n\r\nb'));
    expect(seen).toMatchObject({ status: 404, body: 'ab', complete: true });
  });
});

describe('keepAliveHintS', () => {
  it('reads the timeout of a Keep-Alive header', () => {
    expect(keepAliveHintS({ 'keep-alive': 'timeout=5, max=100' })).toBe(5);
    expect(keepAliveHintS({ 'keep-alive': 'max=100,timeout = 7' })).toBe(7);
    expect(keepAliveHintS({ 'keep-alive': 'max=100' })).toBeUndefined();
    expect(keepAliveHintS({})).toBeUndefined();
  });
});
