import { describe, expect, it } from 'vitest';
import { isValidModelUid } from '../../core/ids.js';
import { deriveModelUid, deriveTemplateId, uidBase } from './uid.js';

describe('uidBase', () => {
  const cases: [string, string][] = [
    ['Qwen/Qwen2.5-7B-Instruct', 'qwen2-5-7b-instruct'],
    ['meta-llama/Llama-3.1-8B-Instruct', 'llama-3-1-8b-instruct'],
    ['BAAI/bge-m3', 'bge-m3'],
    ['gpt2', 'gpt2'],
    ['01-ai/Yi-6B', 'yi-6b'],
    ['org/123', 'm-123'],
    ['org/___', 'model'],
    ['org/' + 'a'.repeat(80), 'a'.repeat(63)],
    ['org/' + 'a'.repeat(62) + '-b', 'a'.repeat(62)],
    ['org/--Weird..Name--', 'weird-name'],
  ];
  for (const [name, want] of cases) {
    it(`${name} -> ${want}`, () => {
      expect(uidBase(name)).toBe(want);
      expect(isValidModelUid(uidBase(name))).toBe(true);
    });
  }
});

describe('deriveModelUid', () => {
  it('returns the base when free and numbers it when taken', () => {
    expect(deriveModelUid('Qwen/Qwen2.5-7B-Instruct', new Set())).toBe('qwen2-5-7b-instruct');
    expect(deriveModelUid('Qwen/Qwen2.5-7B-Instruct', new Set(['qwen2-5-7b-instruct']))).toBe(
      'qwen2-5-7b-instruct-2',
    );
    expect(deriveModelUid('x/bge-m3', new Set(['bge-m3', 'bge-m3-2']))).toBe('bge-m3-3');
  });
  it('keeps long names within 63 characters with the suffix', () => {
    const name = 'org/' + 'b'.repeat(70);
    const uid = deriveModelUid(name, new Set(['b'.repeat(63)]));
    expect(uid.length).toBeLessThanOrEqual(63);
    expect(uid.endsWith('-2')).toBe(true);
    expect(isValidModelUid(uid)).toBe(true);
  });
});

describe('deriveTemplateId', () => {
  it('slugifies and numbers', () => {
    expect(deriveTemplateId('Qwen 2.5 7B Instruct', new Set())).toBe('qwen-2.5-7b-instruct');
    expect(deriveTemplateId('My Template', new Set(['my-template']))).toBe('my-template-2');
    expect(deriveTemplateId('!!!', new Set())).toBe('template');
  });
});
