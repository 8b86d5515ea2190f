import { status as GrpcStatus } from '@grpc/grpc-js';
import { routerErrors, type RouterError } from '../errors.js';

/** PredictRequest as @grpc/proto-loader hands it over (keepCase, defaults, oneofs). */
export interface PredictRequestMsg {
  model: string;
  messages: { role: string; content: string; name: string }[];
  prompt: string;
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop: string[];
  stream_options?: { include_usage?: boolean | null } | null;
  request_id: string;
  session_id: string;
  user: string;
  seed?: number | string | null;
}

export interface UsageMsg {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface PredictChunkMsg {
  id: string;
  model: string;
  delta: string;
  finish_reason: string;
  usage: UsageMsg | null;
  request_id: string;
  index: number;
}

export interface PredictResponseMsg {
  id: string;
  model: string;
  text: string;
  finish_reason: string;
  usage: UsageMsg | null;
  request_id: string;
}

const ROLES = new Set(['system', 'user', 'assistant', 'tool', 'developer']);

/** The OpenAI request a PredictRequest maps to: chat when it has messages, else a plain completion. */
export function toOpenAIRequest(
  msg: PredictRequestMsg,
  stream: boolean,
): { path: string; body: Record<string, unknown> } | RouterError {
  if (typeof msg.model !== 'string' || msg.model === '')
    return routerErrors.badRequest('model is required', 'model');
  if (msg.model.length > 256) return routerErrors.badRequest('model is too long', 'model');
  const body: Record<string, unknown> = { model: msg.model, stream };
  let path: string;
  if (msg.messages.length > 0) {
    const messages = [];
    for (const m of msg.messages) {
      if (!ROLES.has(m.role)) return routerErrors.badRequest(`unknown message role "${m.role}"`, 'messages');
      messages.push(
        m.name ? { role: m.role, content: m.content, name: m.name } : { role: m.role, content: m.content },
      );
    }
    body['messages'] = messages;
    path = '/v1/chat/completions';
  } else if (msg.prompt !== '') {
    body['prompt'] = msg.prompt;
    path = '/v1/completions';
  } else {
    return routerErrors.badRequest('give messages or a prompt', 'messages');
  }
  if (msg.max_tokens != null) {
    if (msg.max_tokens <= 0) return routerErrors.badRequest('max_tokens must be positive', 'max_tokens');
    body['max_tokens'] = msg.max_tokens;
  }
  if (msg.temperature != null) body['temperature'] = msg.temperature;
  if (msg.top_p != null) body['top_p'] = msg.top_p;
  if (msg.stop.length > 0) body['stop'] = msg.stop;
  if (msg.user !== '') body['user'] = msg.user;
  if (msg.seed != null) body['seed'] = Number(msg.seed);
  if (stream) body['stream_options'] = { include_usage: msg.stream_options?.include_usage ?? true };
  return { path, body };
}

/** The gRPC status of each HTTP status the router or an engine answers with; others map by class. */
const GRPC_CODE_BY_HTTP: ReadonlyMap<number, GrpcStatus> = new Map(
  (
    [
      [GrpcStatus.INVALID_ARGUMENT, [400, 413, 422]],
      [GrpcStatus.UNAUTHENTICATED, [401]],
      [GrpcStatus.PERMISSION_DENIED, [403]],
      [GrpcStatus.NOT_FOUND, [404]],
      [GrpcStatus.DEADLINE_EXCEEDED, [408, 504]],
      [GrpcStatus.RESOURCE_EXHAUSTED, [429]],
      [GrpcStatus.CANCELLED, [499]],
      [GrpcStatus.UNAVAILABLE, [502, 503]],
    ] as const
  ).flatMap(([code, statuses]) => statuses.map((http) => [http, code] as const)),
);

/** gRPC status for an HTTP status (the router's own errors and the engines'). */
export function grpcCodeFor(httpStatus: number): GrpcStatus {
  return GRPC_CODE_BY_HTTP.get(httpStatus) ?? (httpStatus >= 500 ? GrpcStatus.INTERNAL : GrpcStatus.UNKNOWN);
}

function usageOf(u: unknown): UsageMsg | null {
  if (u === null || typeof u !== 'object') return null;
  const o = u as Record<string, unknown>;
  const p = typeof o['prompt_tokens'] === 'number' ? o['prompt_tokens'] : 0;
  const c = typeof o['completion_tokens'] === 'number' ? o['completion_tokens'] : 0;
  const t = typeof o['total_tokens'] === 'number' ? o['total_tokens'] : p + c;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: t };
}

interface ChoiceLike {
  index?: number;
  text?: string;
  delta?: { content?: string | null };
  message?: { content?: string | null };
  finish_reason?: string | null;
}

/** One streamed OpenAI chunk (chat or completion) as a PredictChunk; undefined when it carries nothing. */
export function toPredictChunk(event: unknown, requestId: string): PredictChunkMsg | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  const e = event as { id?: string; model?: string; choices?: ChoiceLike[]; usage?: unknown };
  const choice = Array.isArray(e.choices) ? e.choices[0] : undefined;
  const usage = usageOf(e.usage);
  const delta = choice?.delta?.content ?? choice?.text ?? '';
  const finish = choice?.finish_reason ?? '';
  if (delta === '' && finish === '' && usage === null) return undefined;
  return {
    id: e.id ?? '',
    model: e.model ?? '',
    delta,
    finish_reason: finish,
    usage,
    request_id: requestId,
    index: choice?.index ?? 0,
  };
}

/** A non-streamed OpenAI response as a PredictResponse. */
export function toPredictResponse(json: unknown, requestId: string): PredictResponseMsg {
  const e = (json ?? {}) as { id?: string; model?: string; choices?: ChoiceLike[]; usage?: unknown };
  const choice = Array.isArray(e.choices) ? e.choices[0] : undefined;
  return {
    id: e.id ?? '',
    model: e.model ?? '',
    text: choice?.message?.content ?? choice?.text ?? '',
    finish_reason: choice?.finish_reason ?? '',
    usage: usageOf(e.usage),
    request_id: requestId,
  };
}

/** The message of an OpenAI-shaped error body, else the raw text (bounded). */
export function errorMessageOf(body: string, status: number): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown }; message?: unknown };
    const m = j.error?.message ?? j.message;
    if (typeof m === 'string' && m !== '') return m;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 500) || `upstream answered ${status}`;
}
