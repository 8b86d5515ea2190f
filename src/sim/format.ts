/**
 * Response bodies in the exact shapes of vLLM's OpenAI server (field names, `object` values, chunk
 * framing), built as strings because the simulator writes them on every token.
 */
import type { FinishReason } from './generator.js';

export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
}

export function usage(prompt: number, completion: number): Usage {
  return { prompt_tokens: prompt, total_tokens: prompt + completion, completion_tokens: completion };
}

/** Identity fields shared by every chunk of one response. */
export interface StreamHead {
  id: string;
  created: number;
  model: string;
}

const sse = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

export const SSE_DONE = 'data: [DONE]\n\n';

export function chatChunk(
  head: StreamHead,
  delta: Record<string, string>,
  finishReason: FinishReason | null,
): string {
  return sse({
    id: head.id,
    object: 'chat.completion.chunk',
    created: head.created,
    model: head.model,
    choices: [
      finishReason === null
        ? { index: 0, delta, logprobs: null, finish_reason: null }
        : { index: 0, delta, logprobs: null, finish_reason: finishReason, stop_reason: null },
    ],
  });
}

export function completionChunk(head: StreamHead, text: string, finishReason: FinishReason | null): string {
  return sse({
    id: head.id,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
  });
}

/** The last chunk when `stream_options.include_usage` is set: no choices, only usage. */
export function usageChunk(head: StreamHead, kind: 'chat' | 'completion', u: Usage): string {
  return sse({
    id: head.id,
    object: kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
    created: head.created,
    model: head.model,
    choices: [],
    usage: u,
  });
}

export function chatResponse(
  head: StreamHead,
  content: string,
  finishReason: FinishReason,
  u: Usage,
): string {
  return JSON.stringify({
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, tool_calls: [] },
        logprobs: null,
        finish_reason: finishReason,
        stop_reason: null,
      },
    ],
    usage: u,
  });
}

export function completionResponse(
  head: StreamHead,
  text: string,
  finishReason: FinishReason,
  u: Usage,
): string {
  return JSON.stringify({
    id: head.id,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
    usage: u,
  });
}
