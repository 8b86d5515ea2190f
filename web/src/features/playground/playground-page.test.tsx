import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, type Call, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

function sse(chunks: string[]): Response {
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch));
      c.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}
const delta = (content: string) => `data: ${JSON.stringify({ choices: [{ delta: { content } }] })}\n\n`;

describe('playground', () => {
  it('streams a reply from a running model with the system prompt', async () => {
    const api = fakeApi({
      'GET /api/v2/models': () =>
        fixtures.modelList([
          fixtures.model({ model_uid: 'chatty', served_model_name: 'chatty-served' }),
          fixtures.model({ model_uid: 'off', state: 'stopped' }),
        ]),
      'POST /api/v2/openai/v1/chat/completions': () =>
        sse([
          delta('Hello'),
          delta(', '),
          'data: {"choices":[{"delta":{"content":"world"}}]}\n',
          '\n',
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 3 } })}\n\n`,
          'data: [DONE]\n\n',
        ]),
    });
    renderApp({ route: '/playground', fetch: api.fetch, sessions: sessionAs('viewer') });
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/playground?model=chatty'));
    await user.type(screen.getByLabelText('Message'), 'Hi there');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(screen.getByTestId('assistant-message')).toHaveTextContent('Hello, world'));
    expect(await screen.findByText(/3 tokens · TTFT/)).toBeInTheDocument();
    const body = api.callsTo('POST', '/api/v2/openai/v1/chat/completions')[0]?.body as {
      model: string;
      stream: boolean;
      messages: unknown[];
    };
    expect(body.model).toBe('chatty-served');
    expect(body.stream).toBe(true);
    expect(body.messages).toEqual([
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Hi there' },
    ]);
  });

  it('shows the error of a failed chat and offers only running models', async () => {
    const api = fakeApi({
      'GET /api/v2/models': () => fixtures.modelList([fixtures.model({ model_uid: 'chatty' })]),
      'POST /api/v2/openai/v1/chat/completions': (_c: Call) =>
        apiError(503, 'ROUTER_UNAVAILABLE', 'no ready replica for chatty'),
    });
    renderApp({ route: '/playground', fetch: api.fetch, sessions: sessionAs('viewer') });
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('model=chatty'));
    await user.type(screen.getByLabelText('Message'), 'Hi{Enter}');
    expect(await screen.findByTestId('chat-error')).toHaveTextContent('no ready replica for chatty');
  });

  it('says when no model runs', async () => {
    const api = fakeApi({
      'GET /api/v2/models': () => fixtures.modelList([fixtures.model({ state: 'stopped' })]),
    });
    renderApp({ route: '/playground', fetch: api.fetch, sessions: sessionAs('viewer') });
    expect(await screen.findByText('No running model')).toBeInTheDocument();
  });
});
