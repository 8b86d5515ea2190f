import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { readSse, SseParser, type SseEvent } from './sse.js';

const enc = new TextEncoder();

/** Parses `chunks` with one parser and returns every event, including those `end()` flushes. */
function parseAll(chunks: readonly (string | Uint8Array)[]): SseEvent[] {
  const p = new SseParser();
  return [...chunks.flatMap((c) => p.push(c)), ...p.end()];
}

const rng = seededRandom;

/** Cuts `bytes` at random places (sometimes none, sometimes one per byte). */
function randomSplit(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  const maxLen = 1 + Math.floor(next() * 8);
  while (at < bytes.length) {
    const len = 1 + Math.floor(next() * maxLen);
    out.push(bytes.subarray(at, at + len));
    at += len;
  }
  return out;
}

/** A random valid stream built from the grammar's pieces, with its line ends chosen per line. */
function randomStream(next: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const eols = ['\n', '\r\n', '\r'];
  const values = [
    '',
    'x',
    ' two spaces',
    '{"a":1}',
    'héllo wörld',
    '日本語',
    'emoji 🚀🎉',
    'a:b:c',
    '[DONE]',
  ];
  let s = next() < 0.3 ? '\uFEFF' : '';
  const events = 1 + Math.floor(next() * 6);
  for (let e = 0; e < events; e++) {
    const lines = 1 + Math.floor(next() * 5);
    for (let l = 0; l < lines; l++) {
      const r = next();
      if (r < 0.45) s += `data: ${pick(values)}`;
      else if (r < 0.55) s += `data:${pick(values)}`;
      else if (r < 0.65) s += `event: ${pick(['file', 'note', 'ü'])}`;
      else if (r < 0.75) s += `id: ${pick(['1', '42', 'ä-7', ''])}`;
      else if (r < 0.85) s += `retry: ${pick(['1000', '250', 'soon'])}`;
      else if (r < 0.95) s += `: ${pick(['keep-alive', 'ping 🚀'])}`;
      else s += 'data';
      s += pick(eols);
    }
    // A CR line end followed by a LF-led blank line would read as one CRLF: keep the blank line unambiguous.
    s += s.endsWith('\r') ? '\r' : pick(eols);
  }
  return s;
}

describe('SseParser', () => {
  it('parses events split anywhere across chunks', () => {
    const text =
      'data: {"a":1}\n\n: keep-alive\n\nevent: note\ndata: line1\ndata: line2\nid: 7\n\ndata: [DONE]\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: 'message', data: '{"a":1}' },
        { event: 'note', data: 'line1\nline2', id: '7' },
        { event: 'message', data: '[DONE]', id: '7' },
      ]);
    }
  });

  it('handles named events, comments and CRLF blocks at every cut', () => {
    const text = 'data: one\n\nevent: file\ndata: replica-0-2.log\n\n: keep-alive\n\ndata: {"a":1}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: 'message', data: 'one' },
        { event: 'file', data: 'replica-0-2.log' },
        { event: 'message', data: '{"a":1}' },
      ]);
    }
  });

  it('handles CRLF and CR line ends, also split between chunks', () => {
    const p = new SseParser();
    expect([...p.push('data: a\r'), ...p.push('\n\r'), ...p.push('\ndata:b\r\r')]).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('splits data-only events across chunk boundaries and line endings', () => {
    const got = parseAll([
      'data: {"a":',
      '1}\n\ndata: two\r\n',
      '\r\n: comment\n\ndata:x\ndata: y\n\n',
      'data: [DONE]',
    ]);
    expect(got.map((e) => e.data)).toEqual(['{"a":1}', 'two', 'x\ny', '[DONE]']);
  });

  it('delivers a last event without its blank line at end()', () => {
    const p = new SseParser();
    expect(p.push('data: tail')).toEqual([]);
    expect(p.end()).toEqual([{ event: 'message', data: 'tail' }]);
    expect(new SseParser().end()).toEqual([]);
  });

  it('joins multi-line data, keeps empty data lines and a field with no colon', () => {
    expect(new SseParser().push('data: a\ndata:\ndata:  b\n\n')).toEqual([
      { event: 'message', data: 'a\n\n b' },
    ]);
    expect(new SseParser().push('data\ndata:x\n\n')).toEqual([{ event: 'message', data: '\nx' }]);
  });

  it('keeps the last id across events, clears it with an empty id and ignores one with NUL', () => {
    expect(parseAll(['id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\nid: 2\0\ndata: d\n\n'])).toEqual([
      { event: 'message', data: 'a', id: '1' },
      { event: 'message', data: 'b', id: '1' },
      { event: 'message', data: 'c' },
      { event: 'message', data: 'd' },
    ]);
  });

  it('resets the event name after each event and on a blank line without data', () => {
    expect(parseAll(['event: x\n\ndata: a\n\nevent: y\ndata: b\n\ndata: c\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'y', data: 'b' },
      { event: 'message', data: 'c' },
    ]);
  });

  it('takes retry only when it is all digits, and ignores unknown fields', () => {
    const p = new SseParser();
    expect(p.push('retry: 1500\nfoo: bar\ndata: a\n\n')).toEqual([{ event: 'message', data: 'a' }]);
    expect(p.retry).toBe(1500);
    p.push('retry: 2s\n\nretry:\n\n');
    expect(p.retry).toBe(1500);
  });

  it('drops one leading BOM only, even when its bytes arrive one at a time', () => {
    const bytes = enc.encode('\uFEFFdata: a\n\ndata: \uFEFFb\n\n');
    expect(parseAll([...bytes].map((b) => Uint8Array.of(b)))).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: '\uFEFFb' },
    ]);
    expect(parseAll(['\uFEFF', 'data: a\n\n'])).toEqual([{ event: 'message', data: 'a' }]);
  });

  it('decodes UTF-8 split inside a multi-byte sequence', () => {
    const bytes = enc.encode('data: 日本🚀\n\n');
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([
        { event: 'message', data: '日本🚀' },
      ]);
    }
  });

  it('gives the same events for any random split of a random valid stream', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const next = rng(seed);
      const text = randomStream(next);
      const bytes = enc.encode(text);
      const whole = parseAll([text]);
      expect(parseAll([bytes]), `seed ${seed}`).toEqual(whole);
      expect(parseAll(randomSplit(bytes, next)), `seed ${seed}`).toEqual(whole);
      const perChar = [...text];
      expect(parseAll(perChar), `seed ${seed}`).toEqual(whole);
    }
  });
});

describe('readSse', () => {
  const body = (...chunks: string[]): ReadableStream<Uint8Array> =>
    new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of chunks) c.enqueue(enc.encode(ch));
        c.close();
      },
    });

  it('reads a streamed body to its end, flushing a last event without its blank line', async () => {
    const got: SseEvent[] = [];
    for await (const ev of readSse(body('data: hel', 'lo\n\nevent: e\ndata: world\n\ndata: tail')))
      got.push(ev);
    expect(got).toEqual([
      { event: 'message', data: 'hello' },
      { event: 'e', data: 'world' },
      { event: 'message', data: 'tail' },
    ]);
  });

  it('cancels the body when the caller stops, and ends quietly when aborted', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(enc.encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const ev of readSse(endless)) {
      expect(ev.data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);

    const ctl = new AbortController();
    const stalled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('data: first\n\n'));
      },
    });
    const got: string[] = [];
    for await (const ev of readSse(stalled, ctl.signal)) {
      got.push(ev.data);
      ctl.abort();
    }
    expect(got).toEqual(['first']);
  });
});
