import { badRequest } from './http.js';
import { ChatCompletionRequest, CompletionRequest, describeIssue } from './schemas.js';
import { messageText, renderChat, tokenize } from './tokenizer.js';

export type Kind = 'chat' | 'completion';

export interface ParsedPrompt {
  r: ChatCompletionRequest | CompletionRequest;
  tokens: string[];
  promptText: string;
  /** Text echoed in echo mode: the last user message, or the completion prompt. */
  echoText: string;
  asked: number | undefined;
  /** Completion `echo: true`. */
  echo: boolean;
}

/** Validates a chat or completion body and turns its prompt into text and tokens. */
export function parsePrompt(kind: Kind, body: unknown): ParsedPrompt {
  if (kind === 'chat') {
    const parsed = ChatCompletionRequest.safeParse(body);
    if (!parsed.success) throw badRequest(describeIssue(parsed.error));
    const r = parsed.data;
    const promptText = renderChat(r.messages);
    const lastUser = r.messages.findLast((m) => m.role === 'user');
    return {
      r,
      tokens: tokenize(promptText),
      promptText,
      echoText: lastUser ? messageText(lastUser.content) : '',
      asked: r.max_completion_tokens ?? r.max_tokens ?? undefined,
      echo: false,
    };
  }
  const parsed = CompletionRequest.safeParse(body);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error));
  const r = parsed.data;
  const p = r.prompt;
  const first = Array.isArray(p) ? p[0] : p;
  let tokens: string[];
  let promptText: string;
  if (typeof first === 'string') {
    promptText = first;
    tokens = tokenize(first);
  } else {
    // Token ids: one token each, rendered as numbers so they hash and echo deterministically.
    const ids = (Array.isArray(first) ? first : p) as number[];
    tokens = ids.map((id, i) => (i === 0 ? String(id) : ` ${id}`));
    promptText = tokens.join('');
  }
  return {
    r,
    tokens,
    promptText,
    echoText: promptText,
    asked: r.max_tokens ?? undefined,
    echo: r.echo === true,
  };
}
