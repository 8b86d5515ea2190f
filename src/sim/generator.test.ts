import { describe, expect, it } from 'vitest';
import { embedText, toBase64 } from './embeddings.js';
import { planOutput } from './generator.js';
import { rerank } from './rerank.js';

describe('planOutput', () => {
  it('echoes and stops, or is cut at max_tokens', () => {
    expect(planOutput({ mode: 'echo', echoText: 'hello there world', seed: 1, maxTokens: 10 })).toEqual({
      tokens: ['hello', ' there', ' world'],
      finishReason: 'stop',
    });
    expect(planOutput({ mode: 'echo', echoText: 'hello there world', seed: 1, maxTokens: 2 })).toEqual({
      tokens: ['hello', ' there'],
      finishReason: 'length',
    });
  });

  it('generates exactly max_tokens in random mode or with ignore_eos, deterministically', () => {
    const a = planOutput({ mode: 'random', echoText: 'x', seed: 42, maxTokens: 20 });
    expect(a.tokens).toHaveLength(20);
    expect(a.finishReason).toBe('length');
    expect(planOutput({ mode: 'random', echoText: 'x', seed: 42, maxTokens: 20 })).toEqual(a);
    expect(planOutput({ mode: 'random', echoText: 'x', seed: 43, maxTokens: 20 })).not.toEqual(a);
    const b = planOutput({ mode: 'echo', echoText: 'hi', seed: 1, maxTokens: 7, ignoreEos: true });
    expect(b.tokens).toHaveLength(7);
    expect(b.tokens[0]).toBe('hi');
  });

  it('pads to min_tokens and falls back to words when there is nothing to echo', () => {
    expect(
      planOutput({ mode: 'echo', echoText: 'hi', seed: 1, maxTokens: 9, minTokens: 4 }).tokens,
    ).toHaveLength(4);
    expect(planOutput({ mode: 'echo', echoText: '', seed: 1, maxTokens: 5 }).tokens).toHaveLength(5);
  });

  it('cuts before the earliest stop string', () => {
    const p = planOutput({
      mode: 'echo',
      echoText: 'alpha beta gamma delta',
      seed: 1,
      maxTokens: 10,
      stop: ['delta', 'ta ga'],
    });
    expect(p).toEqual({ tokens: ['alpha', ' be'], finishReason: 'stop' });
    const none = planOutput({ mode: 'echo', echoText: 'alpha beta', seed: 1, maxTokens: 1, stop: ['zzz'] });
    expect(none.finishReason).toBe('length');
  });
});

describe('embedText', () => {
  it('returns deterministic unit vectors that differ between inputs', () => {
    const a = embedText('hello', 64);
    const b = embedText('hello', 64);
    const c = embedText('world', 64);
    expect(Array.from(a)).toEqual(Array.from(b));
    const norm = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(Array.from(a)).not.toEqual(Array.from(c));
    const decoded = new Float32Array(new Uint8Array(Buffer.from(toBase64(a), 'base64')).buffer);
    expect(Array.from(decoded)).toEqual(Array.from(a));
  });
});

describe('rerank', () => {
  it('ranks documents sharing the query words first and honours top_n', () => {
    const docs = ['bananas are yellow', 'the capital of France is Paris', 'Paris weather today'];
    const r = rerank('capital of France', docs);
    expect(r[0]?.index).toBe(1);
    expect(r.map((x) => x.index).sort()).toEqual([0, 1, 2]);
    for (const x of r) expect(x.relevance_score).toBeGreaterThanOrEqual(0);
    expect(rerank('capital of France', docs, 1)).toEqual([r[0]]);
    expect(rerank('capital of France', docs)).toEqual(r);
  });
});
