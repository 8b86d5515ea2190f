import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../test/helpers/seeded-random.js';
import { ResponseParser, UpstreamProtocolError, type UpstreamHeaders } from './response-parser.js';

/**
 * Property tests of the upstream response parser: random responses of every framing, fed whole and cut at
 * random points, must give the same head, body and completion; random mutations of valid and invalid
 * responses must give either a result or an UpstreamProtocolError (never another throw), the same however
 * the bytes are cut, and never let bytes of one response reach the next on a keep-alive connection.
 * Seeded, so a failure names the seed that reproduces it.
 */

const rng = seededRandom;

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;

/** Random case for a header name (names are case-insensitive). */
function anyCase(r: Rand, name: string): string {
  let out = '';
  for (const ch of name) out += r() < 0.3 ? ch.toUpperCase() : ch;
  return out;
}

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 0, 255);
  return b;
}

/** What the parser must report for a response. */
interface Outcome {
  status: number;
  headers: Partial<UpstreamHeaders>;
  body: string;
  /** keepAlive from onComplete; undefined when the response did not complete. */
  complete: boolean | undefined;
  /** The parser's error, normalized: 'trailing' for bytes after a complete response. */
  error: string | undefined;
  /** Events out of order (body before head, anything after completion, two heads, two completions). */
  misordered: boolean;
}

interface Generated {
  raw: Buffer;
  expected: Omit<Outcome, 'misordered' | 'error'>;
  noBody: boolean;
  /** The body is framed by the connection's end (the parser completes only at end()). */
  untilClose: boolean;
}

const STATUSES = [200, 200, 200, 201, 400, 404, 429, 500, 503];

/** A valid response of a random framing. */
function generate(r: Rand): Generated {
  const http10 = r() < 0.1;
  let raw = '';
  // Interim responses first, now and then (100 Continue, 103 Early Hints with a header).
  const interim = r() < 0.2 ? int(r, 1, 2) : 0;
  for (let i = 0; i < interim; i++) {
    raw +=
      r() < 0.5
        ? 'HTTP/1.1 100 Continue\r\n\r\n'
        : 'HTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n';
  }
  const framing = pick(r, [
    'length',
    'length',
    'chunked',
    'chunked',
    'close',
    'coding',
    '204',
    '304',
    'head',
  ]);
  const status = framing === '204' ? 204 : framing === '304' ? 304 : pick(r, STATUSES);
  raw += `HTTP/1.${http10 ? 0 : 1} ${status}${r() < 0.8 ? ' Reason Phrase' : ''}\r\n`;
  const headers: Partial<UpstreamHeaders> = {
    'content-type': undefined,
    'content-length': undefined,
    'retry-after': undefined,
    'keep-alive': undefined,
  };
  const lines: string[] = [];
  const ows = (): string => (r() < 0.3 ? ' \t' : r() < 0.5 ? '' : ' ');
  if (r() < 0.8) {
    const ct = pick(r, ['application/json', 'text/event-stream', 'text/plain; charset=utf-8']);
    headers['content-type'] = ct;
    lines.push(`${anyCase(r, 'content-type')}:${ows()}${ct}${ows()}`);
  }
  if (r() < 0.2) {
    headers['retry-after'] = String(int(r, 0, 120));
    lines.push(`${anyCase(r, 'retry-after')}: ${headers['retry-after']}`);
  }
  if (r() < 0.2) {
    headers['keep-alive'] = `timeout=${int(r, 1, 30)}`;
    lines.push(`${anyCase(r, 'keep-alive')}: ${headers['keep-alive']}`);
  }
  for (let i = int(r, 0, 3); i > 0; i--) lines.push(`x-other-${i}: ${'v'.repeat(int(r, 0, 40))}`);
  let keepAlive = !http10;
  if (r() < 0.2) {
    lines.push(`${anyCase(r, 'connection')}: close`);
    keepAlive = false;
  } else if (http10 && r() < 0.6) {
    lines.push(`${anyCase(r, 'connection')}: keep-alive`);
    keepAlive = true;
  }
  const bodyBytes = framing === '204' || framing === '304' || framing === 'head' ? 0 : int(r, 0, 300);
  const body = randomBytes(r, bodyBytes);
  let tail: Buffer = Buffer.alloc(0);
  let untilClose = false;
  switch (framing) {
    case 'length':
    case 'head':
    case '304': {
      // A HEAD or 304 answer may name the length of the body it does not carry.
      const n = framing === 'length' ? bodyBytes : int(r, 0, 5000);
      if (framing === 'length' || r() < 0.5) {
        headers['content-length'] = String(n);
        lines.push(`${anyCase(r, 'content-length')}: ${n}`);
        if (r() < 0.1) lines.push(`content-length: ${n}`);
      }
      tail = body;
      break;
    }
    case 'chunked': {
      lines.push(`${anyCase(r, 'transfer-encoding')}: ${r() < 0.2 ? 'gzip, chunked' : 'chunked'}`);
      const parts: Buffer[] = [];
      let at = 0;
      while (at < body.length) {
        const n = Math.min(body.length - at, int(r, 1, 120));
        let size = n.toString(16);
        if (r() < 0.3) size = size.toUpperCase();
        if (r() < 0.1) size = `00${size}`;
        const ext = r() < 0.3 ? `;name=value${r() < 0.5 ? ';flag' : ''}` : '';
        parts.push(
          Buffer.from(`${size}${ext}\r\n`, 'latin1'),
          body.subarray(at, at + n),
          Buffer.from('\r\n'),
        );
        at += n;
      }
      const trailers = r() < 0.3 ? `x-trailer: ${int(r, 0, 9)}\r\nother-trailer: a b c\r\n` : '';
      parts.push(Buffer.from(`0${r() < 0.2 ? ';last' : ''}\r\n${trailers}\r\n`, 'latin1'));
      tail = Buffer.concat(parts);
      break;
    }
    case 'coding':
      // A coding other than chunked last: the body runs to the connection's end.
      lines.push('transfer-encoding: gzip');
      tail = body;
      untilClose = true;
      keepAlive = false;
      break;
    case 'close':
      tail = body;
      untilClose = true;
      keepAlive = false;
      break;
  }
  raw += lines.map((l) => `${l}\r\n`).join('') + '\r\n';
  const noBody = framing === 'head';
  return {
    raw: Buffer.concat([Buffer.from(raw, 'latin1'), tail]),
    expected: {
      status,
      headers,
      body: noBody || framing === '204' || framing === '304' ? '' : body.toString('latin1'),
      complete: keepAlive,
    },
    noBody,
    untilClose,
  };
}

/** Hand-made invalid responses (mutations of them explore the space around each refusal). */
const INVALID = [
  'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello!',
  'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n',
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n',
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
  'HTTP/1.1 200 OK\r\n folded: x\r\ncontent-length: 0\r\n\r\n',
  'HTTP/1.1 200 OK\r\nbad name: x\r\ncontent-length: 0\r\n\r\n',
  'HTTP/2 200\r\ncontent-length: 0\r\n\r\n',
  'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n',
  'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA',
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n',
].map((s) => Buffer.from(s, 'latin1'));

/** Feeds `raw` in pieces cut at `cuts` (ascending offsets) and ends the connection when asked. */
function run(raw: Buffer, cuts: readonly number[], noBody: boolean, closeAtEnd: boolean): Outcome {
  const out: Outcome = {
    status: 0,
    headers: {},
    body: '',
    complete: undefined,
    error: undefined,
    misordered: false,
  };
  let heads = 0;
  const bodies: Buffer[] = [];
  const p = new ResponseParser({
    onHead: (status, headers) => {
      if (heads++ > 0 || out.complete !== undefined) out.misordered = true;
      out.status = status;
      out.headers = { ...headers };
    },
    onBody: (chunk) => {
      if (heads === 0 || out.complete !== undefined) out.misordered = true;
      // A copy: the parser hands views of the bytes it was given.
      bodies.push(Buffer.from(chunk));
    },
    onComplete: (keepAlive) => {
      if (heads === 0 || out.complete !== undefined) out.misordered = true;
      out.complete = keepAlive;
    },
  });
  p.reset(noBody);
  let at = 0;
  try {
    for (const c of [...cuts, raw.length]) {
      if (c <= at) continue;
      p.feed(raw.subarray(at, c));
      at = c;
      // The pool stops reading for a request once its response is complete; what follows is not its own.
      if (out.complete !== undefined) {
        if (at < raw.length) out.error = 'trailing';
        break;
      }
    }
    if (out.complete === undefined && closeAtEnd) p.end();
  } catch (err) {
    if (!(err instanceof UpstreamProtocolError)) throw err;
    out.error = err.message.includes('bytes after the end') ? 'trailing' : 'protocol';
  }
  out.body = Buffer.concat(bodies).toString('latin1');
  // Bytes after a complete response fail it when they come in the same read, and close the idle connection
  // when they come later: which one depends on the cut, not on the bytes, so both read as 'trailing'.
  if (out.error === 'trailing') out.complete = undefined;
  return out;
}

/** 0-6 random cut points, or every byte on its own now and then. */
function randomCuts(r: Rand, length: number): number[] {
  if (r() < 0.05) return Array.from({ length }, (_, i) => i);
  const cuts: number[] = [];
  for (let i = int(r, 0, 6); i > 0; i--) cuts.push(int(r, 0, length));
  return cuts.sort((a, b) => a - b);
}

function mutate(r: Rand, input: Buffer): Buffer {
  let b: Buffer = Buffer.from(input);
  for (let i = int(r, 1, 3); i > 0; i--) {
    const at = int(r, 0, Math.max(0, b.length - 1));
    switch (int(r, 0, 5)) {
      case 0: // flip a byte to any value
        if (b.length > 0) b[at] = int(r, 0, 255);
        break;
      case 1: // a framing byte where it may hurt most
        if (b.length > 0) b[at] = pick(r, [13, 10, 58, 59, 48, 32, 9, 0x66]);
        break;
      case 2: // insert
        b = Buffer.concat([b.subarray(0, at), randomBytes(r, int(r, 1, 4)), b.subarray(at)]);
        break;
      case 3: // delete
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + int(r, 1, 4)))]);
        break;
      case 4: // duplicate a range (repeated headers, chunks)
        {
          const end = Math.min(b.length, at + int(r, 1, 40));
          b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        }
        break;
      case 5: // truncate
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

const SEED = 0x5eed;

describe('ResponseParser (property)', () => {
  it('parses every framing the same whole and cut at random points', () => {
    const r = rng(SEED);
    for (let i = 0; i < 400; i++) {
      const g = generate(r);
      const whole = run(g.raw, [], g.noBody, g.untilClose);
      expect(whole, `case ${i} whole: ${JSON.stringify(g.raw.toString('latin1').slice(0, 200))}`).toEqual({
        ...g.expected,
        error: undefined,
        misordered: false,
      });
      for (let j = 0; j < 4; j++) {
        const cuts = randomCuts(r, g.raw.length);
        expect(run(g.raw, cuts, g.noBody, g.untilClose), `case ${i} cut at ${cuts.join(',')}`).toEqual(whole);
      }
    }
  });

  it('never lets one response reach the next on a keep-alive connection', () => {
    const r = rng(SEED + 1);
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      const a = generate(r);
      const b = generate(r);
      if (a.untilClose) continue;
      // One parser, reused as a pooled connection is: the second response parses as it would alone.
      const events: string[] = [];
      const p = new ResponseParser({
        onHead: (s) => events.push(`head ${s}`),
        onBody: (c) => events.push(`body ${c.toString('latin1')}`),
        onComplete: () => events.push('complete'),
      });
      p.reset(a.noBody);
      p.feed(a.raw);
      expect(p.done, `case ${i}`).toBe(true);
      p.reset(b.noBody);
      events.length = 0;
      const cuts = randomCuts(r, b.raw.length);
      let at = 0;
      for (const c of [...cuts, b.raw.length]) {
        if (c > at) p.feed(b.raw.subarray(at, c));
        at = Math.max(at, c);
      }
      if (b.untilClose) p.end();
      expect(events[0], `case ${i}`).toBe(`head ${b.expected.status}`);
      expect(events.at(-1)).toBe('complete');
      const body = events
        .filter((e) => e.startsWith('body '))
        .map((e) => e.slice(5))
        .join('');
      expect(body, `case ${i}`).toBe(b.expected.body);
      // Both responses arriving in one read (an upstream answering what was never asked): the first
      // response's bytes are refused as a whole, never taken as the start of the next response.
      const both = run(
        Buffer.concat([a.raw, b.raw]),
        randomCuts(r, a.raw.length + b.raw.length),
        a.noBody,
        false,
      );
      expect(both.error, `case ${i}`).toBe(b.raw.length > 0 ? 'trailing' : undefined);
      expect(both.body, `case ${i}`).toBe(a.expected.body);
      checked++;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('answers mutated responses with a result or a protocol error, the same however they are cut', () => {
    const r = rng(SEED + 2);
    let refused = 0;
    let accepted = 0;
    for (let i = 0; i < 2500; i++) {
      const base = r() < 0.8 ? generate(r).raw : pick(r, INVALID);
      const noBody = r() < 0.1;
      const raw = mutate(r, base);
      const closeAtEnd = r() < 0.5;
      // Any throw other than UpstreamProtocolError fails the test here (run() rethrows it).
      const whole = run(raw, [], noBody, closeAtEnd);
      expect(whole.misordered, `case ${i}`).toBe(false);
      if (whole.error !== undefined) refused++;
      else if (whole.complete !== undefined) accepted++;
      const cuts = randomCuts(r, raw.length);
      expect(
        run(raw, cuts, noBody, closeAtEnd),
        `case ${i} cut at ${cuts.join(',')}: ${JSON.stringify(raw.toString('latin1'))}`,
      ).toEqual(whole);
    }
    // Both outcomes are exercised (the mutations are neither all harmless nor all fatal).
    expect(refused).toBeGreaterThan(250);
    expect(accepted).toBeGreaterThan(250);
  });
});
