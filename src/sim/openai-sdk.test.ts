import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineSim, type EngineSimHandle } from './server.js';

// The official SDK is the strictest client of the wire format: if it parses our SSE, errors and base64
// embeddings, so do the applications people point at Nebula.
describe('engine-sim with the official openai SDK', () => {
  let h: EngineSimHandle;
  let client: OpenAI;
  beforeAll(async () => {
    h = await startEngineSim({ model: 'org/demo', servedModelName: 'demo', port: 0, ttftMs: 0, itlMs: 1 });
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await h.stop();
  });

  it('streams a chat completion with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'streaming through the SDK works' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let completionTokens = 0;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice) {
        text += choice.delta.content ?? '';
        finish = choice.finish_reason ?? finish;
      }
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(text).toBe('streaming through the SDK works');
    expect(finish).toBe('stop');
    expect(completionTokens).toBe(7); // stream|ing| throug|h| the| SDK| works
  });

  it('runs the stream helper and a plain completion', async () => {
    const runner = client.chat.completions.stream({
      model: 'demo',
      messages: [{ role: 'user', content: 'hello again' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('hello again');
    const c = await client.completions.create({ model: 'demo', prompt: 'one two', max_tokens: 1 });
    expect(c.choices[0]?.text).toBe('one');
    expect(c.choices[0]?.finish_reason).toBe('length');
  });

  it('decodes embeddings (base64 by default) and lists models', async () => {
    const e = await client.embeddings.create({ model: 'demo', input: ['a', 'b'], dimensions: 32 });
    expect(e.data).toHaveLength(2);
    const v = e.data[0]!.embedding;
    expect(v).toHaveLength(32);
    expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    const again = await client.embeddings.create({ model: 'demo', input: 'a', dimensions: 32 });
    expect(again.data[0]!.embedding).toEqual(v);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['demo']);
  });

  it('surfaces errors as typed SDK errors', async () => {
    await expect(
      client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(
      client.chat.completions.create({ model: 'demo', n: 3, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});
