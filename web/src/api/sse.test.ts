import { describe, expect, it } from 'vitest';
import { readSse, type SseEvent } from './sse.ts';

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
