/**
 * The simulator's tokenizer: a token is optional leading whitespace plus up to six non-space characters,
 * so "hello world" is ["hello", " world"] and long words split into chunks. Lossless (joining the tokens
 * gives the text back) and deterministic, with token counts in the range of real BPE tokenizers.
 */
const TOKEN_RE = /\s*\S{1,6}|\s+/g;

export function tokenize(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

/** A chat message as far as the simulator cares: a role and something that holds text. */
export interface ChatMessageLike {
  role: string;
  content?: unknown;
}

/** Text of a message's content: a string, or the `text` of its parts (other parts count as a marker). */
export function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let out = '';
  for (const part of content as unknown[]) {
    if (part && typeof part === 'object') {
      const p = part as { type?: unknown; text?: unknown };
      out += typeof p.text === 'string' ? p.text : `<${typeof p.type === 'string' ? p.type : 'part'}>`;
    }
  }
  return out;
}

/**
 * Renders a conversation the way a chat template would, so that conversations sharing their first
 * messages share a token prefix (what prefix caching and prefix-aware routing rely on).
 */
export function renderChat(messages: readonly ChatMessageLike[]): string {
  let out = '';
  for (const m of messages) out += `<|${m.role}|>\n${messageText(m.content)}\n`;
  return `${out}<|assistant|>\n`;
}
