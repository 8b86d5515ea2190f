import { describe, expect, it } from 'vitest';
import { readSse, SseParser, type SseEvent } from './sse.ts';

describe('SseParser', () => {
  it('parses events split anywhere across chunks', () => {
    const text = 'data: one\n\nevent: file\ndata: replica-0-2.log\n\n: keep-alive\n\ndata: {"a":1}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const out = [...p.push(text.slice(0, cut)), ...p.push(text.slice(cut)), ...p.flush()];
      expect(out).toEqual([
        { event: 'message', data: 'one' },
        { event: 'file', data: 'replica-0-2.log' },
        { event: 'message', data: '{"a":1}' },
      ]);
    }
  });
  it('joins multi-line data and keeps empty data lines', () => {
    const p = new SseParser();
    expect(p.push('data: a\ndata:\ndata:  b\n\n')).toEqual([{ event: 'message', data: 'a\n\n b' }]);
  });
  it('delivers a last event without a trailing blank line on flush', () => {
    const p = new SseParser();
    expect(p.push('data: [DONE]')).toEqual([]);
    expect(p.flush()).toEqual([{ event: 'message', data: '[DONE]' }]);
  });
});

describe('readSse', () => {
  it('reads a streamed body to its end', async () => {
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(enc.encode('data: hel'));
        c.enqueue(enc.encode('lo\n\ndata: world\n\n'));
        c.close();
      },
    });
    const got: SseEvent[] = [];
    await readSse(new Response(body), (e) => got.push(e));
    expect(got.map((e) => e.data)).toEqual(['hello', 'world']);
  });
});
