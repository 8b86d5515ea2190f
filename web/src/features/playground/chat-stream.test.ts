import { describe, expect, it } from 'vitest';
import { buildChatBody, parseChatChunk } from './chat-stream.ts';

describe('parseChatChunk', () => {
  it('reads deltas, the end marker, usage and errors', () => {
    expect(parseChatChunk('{"choices":[{"delta":{"content":"Hel"}}]}').content).toBe('Hel');
    expect(parseChatChunk('{"choices":[{"delta":{},"finish_reason":"stop"}]}')).toMatchObject({
      content: '',
      finishReason: 'stop',
      done: false,
    });
    expect(parseChatChunk('[DONE]').done).toBe(true);
    expect(parseChatChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":7}}').usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: 7,
    });
    expect(parseChatChunk('{"error":{"message":"model is loading"}}')).toMatchObject({
      error: 'model is loading',
      done: true,
    });
  });
  it('ignores what is not a chunk', () => {
    expect(parseChatChunk('not json')).toMatchObject({ content: '', done: false, error: null });
    expect(parseChatChunk('')).toMatchObject({ content: '', done: false });
    expect(parseChatChunk('42').content).toBe('');
  });
});

describe('buildChatBody', () => {
  it('puts the system prompt first, only when set, and streams', () => {
    const body = buildChatBody('m', '  be brief ', [{ role: 'user', content: 'hi' }], {
      temperature: 0.2,
      max_tokens: 64,
    });
    expect(body).toMatchObject({ model: 'm', stream: true, temperature: 0.2, max_tokens: 64 });
    expect(body.messages).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
    ]);
    expect(
      buildChatBody('m', ' ', [{ role: 'user', content: 'hi' }], { temperature: 1, max_tokens: 1 }).messages,
    ).toHaveLength(1);
  });
});
