import { seededRandom } from './hash.js';
import type { SimMode } from './options.js';
import { tokenize } from './tokenizer.js';

export type FinishReason = 'stop' | 'length';

/** The whole output of a request, decided up front (the simulator is deterministic). */
export interface OutputPlan {
  tokens: string[];
  finishReason: FinishReason;
}

export interface PlanInput {
  mode: SimMode;
  /** Text echoed in `echo` mode: the last user message, or the completion prompt. */
  echoText: string;
  /** Seeds `random` mode (and the filler when echo runs short of min_tokens / ignore_eos). */
  seed: number;
  maxTokens: number;
  minTokens?: number;
  /** Generate exactly maxTokens, as vLLM's `ignore_eos` does (benchmarks rely on it). */
  ignoreEos?: boolean;
  stop?: readonly string[];
}

// Words of at most six characters with a leading space are one token each.
const WORDS = [
  'the',
  'of',
  'and',
  'to',
  'in',
  'is',
  'that',
  'for',
  'it',
  'as',
  'with',
  'was',
  'on',
  'be',
  'by',
  'at',
  'this',
  'from',
  'or',
  'an',
  'are',
  'model',
  'token',
  'cloud',
  'node',
  'graph',
  'light',
  'river',
  'stone',
  'green',
  'quick',
  'data',
  'value',
  'field',
  'state',
  'order',
  'place',
  'nebula',
  'star',
  'orbit',
];

function fill(tokens: string[], target: number, seed: number): void {
  const rand = seededRandom(seed);
  while (tokens.length < target) tokens.push(' ' + WORDS[Math.floor(rand() * WORDS.length)]);
}

/**
 * Plans a completion. `echo` repeats the echo text and stops (finish "stop"), or is cut at max_tokens
 * (finish "length"); `random` emits max_tokens seeded words. A stop string cuts the text before it, as
 * vLLM does by default, and finishes with "stop".
 */
export function planOutput(input: PlanInput): OutputPlan {
  const max = input.maxTokens;
  let tokens: string[];
  let finishReason: FinishReason;
  const echo = input.mode === 'echo' ? tokenize(input.echoText) : [];
  if (echo.length > 0 && !input.ignoreEos) {
    tokens = echo.slice(0, max);
    finishReason = echo.length > max ? 'length' : 'stop';
    const min = Math.min(input.minTokens ?? 0, max);
    if (tokens.length < min) {
      fill(tokens, min, input.seed);
      finishReason = min === max ? 'length' : 'stop';
    }
  } else {
    tokens = echo.slice(0, max);
    fill(tokens, max, input.seed);
    finishReason = 'length';
  }
  if (input.stop && input.stop.length > 0) return applyStop(tokens, finishReason, input.stop);
  return { tokens, finishReason };
}

function applyStop(tokens: string[], finishReason: FinishReason, stop: readonly string[]): OutputPlan {
  const text = tokens.join('');
  let cut = -1;
  for (const s of stop) {
    if (s === '') continue;
    const i = text.indexOf(s);
    if (i >= 0 && (cut < 0 || i < cut)) cut = i;
  }
  if (cut < 0) return { tokens, finishReason };
  const kept: string[] = [];
  let at = 0;
  for (const t of tokens) {
    if (at + t.length <= cut) {
      kept.push(t);
      at += t.length;
      continue;
    }
    if (at < cut) kept.push(t.slice(0, cut - at));
    break;
  }
  return { tokens: kept, finishReason: 'stop' };
}
