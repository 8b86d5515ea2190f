/** One message of a chat, OpenAI style. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChunkResult {
  /** Text to append to the assistant's message. */
  content: string;
  done: boolean;
  finishReason: string | null;
  /** Error carried inside the stream (`{"error":{...}}`). */
  error: string | null;
  usage: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/**
 * Interprets one SSE `data:` payload of an OpenAI chat completions stream (pure): `[DONE]` ends it,
 * otherwise the JSON chunk's `choices[0].delta.content` is the next piece of text.
 */
export function parseChatChunk(data: string): ChunkResult {
  const empty: ChunkResult = { content: '', done: false, finishReason: null, error: null, usage: null };
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return { ...empty, done: true };
  if (!trimmed) return empty;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return empty;
  }
  if (typeof json !== 'object' || json === null) return empty;
  const obj = json as {
    error?: { message?: string };
    choices?: {
      delta?: { content?: string | null };
      message?: { content?: string | null };
      finish_reason?: string | null;
    }[];
    usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  };
  if (obj.error) return { ...empty, error: obj.error.message ?? 'The model returned an error', done: true };
  const choice = obj.choices?.[0];
  return {
    content: choice?.delta?.content ?? choice?.message?.content ?? '',
    done: false,
    finishReason: choice?.finish_reason ?? null,
    error: null,
    usage: obj.usage ?? null,
  };
}

/** The request body of a streamed chat: the system prompt first (when set), then the conversation. */
export function buildChatBody(
  model: string,
  system: string,
  history: ChatMessage[],
  opts: { temperature: number; max_tokens: number },
) {
  const messages: ChatMessage[] = [
    ...(system.trim() ? [{ role: 'system' as const, content: system.trim() }] : []),
    ...history,
  ];
  return {
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: opts.temperature,
    max_tokens: opts.max_tokens,
  };
}
