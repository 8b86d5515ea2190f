/**
 * A minimal OpenAI-compatible chat client for the router (the data plane): one request, streamed token
 * by token through SSE, or answered whole with --no-stream. Aborting the signal cancels the request.
 */
import { CliError } from '../errors.js';
import { readSse } from '../../core/sse.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  /** Router base URL, with or without a trailing /v1. */
  baseUrl: string;
  token?: string | undefined;
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  signal?: AbortSignal | undefined;
  fetch?: typeof fetch | undefined;
  /** Called with each piece of text as it arrives (also once with the whole answer when not streaming). */
  onToken?: (text: string) => void;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface ChatResult {
  content: string;
  finishReason: string | undefined;
  usage: ChatUsage | undefined;
}

/** `http://h:8000/v1/` -> `http://h:8000/v1/chat/completions`. */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  return `${base}/v1/chat/completions`;
}

interface OpenAiError {
  error?: { message?: string; code?: string | number | null; type?: string };
}

function routerError(status: number, body: string): CliError {
  let message = body.trim() || `HTTP ${status}`;
  let code = `HTTP_${status}`;
  try {
    const parsed = JSON.parse(body) as OpenAiError;
    if (parsed.error?.message) message = parsed.error.message;
    const c = parsed.error?.code ?? parsed.error?.type;
    if (typeof c === 'string' && c !== '') code = c.toUpperCase();
  } catch {
    // not JSON: keep the text
  }
  return new CliError(`router answered ${status}: ${message}`, code);
}

interface ChunkChoice {
  delta?: { content?: string | null };
  message?: { content?: string | null };
  finish_reason?: string | null;
}

interface CompletionBody extends OpenAiError {
  choices?: ChunkChoice[];
  usage?: ChatUsage;
}

/** Sends one chat completion; resolves with the whole answer. */
export async function chatCompletion(req: ChatRequest): Promise<ChatResult> {
  const doFetch = req.fetch ?? fetch;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: req.stream ? 'text/event-stream' : 'application/json',
  };
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const body: Record<string, unknown> = { model: req.model, messages: req.messages, stream: req.stream };
  if (req.stream) body.stream_options = { include_usage: true };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  const res = await doFetch(chatCompletionsUrl(req.baseUrl), {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
    ...(req.signal ? { signal: req.signal } : {}),
  });
  if (!res.ok) throw routerError(res.status, await res.text());
  const contentType = res.headers.get('content-type') ?? '';
  if (!req.stream || !contentType.includes('text/event-stream') || !res.body) {
    const json = (await res.json()) as CompletionBody;
    if (json.error) throw routerError(res.status, JSON.stringify(json));
    const choice = json.choices?.[0];
    const content = choice?.message?.content ?? choice?.delta?.content ?? '';
    if (content) req.onToken?.(content);
    return { content, finishReason: choice?.finish_reason ?? undefined, usage: json.usage };
  }
  return readStream(res.body, req.onToken);
}

async function readStream(
  body: ReadableStream<Uint8Array>,
  onToken: ((t: string) => void) | undefined,
): Promise<ChatResult> {
  let content = '';
  let finishReason: string | undefined;
  let usage: ChatUsage | undefined;
  let done = false;
  const handle = (data: string): void => {
    if (data.trim() === '[DONE]') {
      done = true;
      return;
    }
    let chunk: CompletionBody;
    try {
      chunk = JSON.parse(data) as CompletionBody;
    } catch {
      return; // keep-alives and the like
    }
    if (chunk.error)
      throw new CliError(`router stream error: ${chunk.error.message ?? 'unknown'}`, 'STREAM_ERROR');
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    const piece = choice?.delta?.content ?? '';
    if (piece) {
      content += piece;
      onToken?.(piece);
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  };
  // Stopping at [DONE] (or on a stream error) cancels the body: readSse's own cleanup.
  for await (const ev of readSse(body)) {
    handle(ev.data);
    if (done) break;
  }
  return { content, finishReason, usage };
}
