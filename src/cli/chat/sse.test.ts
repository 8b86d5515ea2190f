import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('parses events split anywhere across chunks', () => {
    const text =
      'data: {"a":1}\n\n: keep-alive\n\nevent: note\ndata: line1\ndata: line2\nid: 7\n\ndata: [DONE]\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const p = new SseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut)), ...p.end()];
      expect(events).toEqual([
        { event: 'message', data: '{"a":1}' },
        { event: 'note', data: 'line1\nline2', id: '7' },
        { event: 'message', data: '[DONE]', id: '7' },
      ]);
    }
  });

  it('handles CRLF and CR line ends, also split between chunks', () => {
    const p = new SseParser();
    expect([...p.feed('data: a\r'), ...p.feed('\n\r'), ...p.feed('\ndata:b\r\r')]).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('delivers a last event without its blank line at end()', () => {
    const p = new SseParser();
    expect(p.feed('data: tail')).toEqual([]);
    expect(p.end()).toEqual([{ event: 'message', data: 'tail' }]);
    expect(new SseParser().end()).toEqual([]);
  });

  it('keeps a field with no colon and values without the space', () => {
    const p = new SseParser();
    expect(p.feed('data\ndata:x\n\n')).toEqual([{ event: 'message', data: '\nx' }]);
  });
});
