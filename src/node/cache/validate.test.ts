import { describe, expect, it } from 'vitest';
import {
  encodePath,
  isSafeRelativePath,
  validateFilePath,
  validateRepoId,
  validateRevision,
} from './validate.js';

describe('validateRepoId', () => {
  it.each(['Qwen/Qwen2.5-7B-Instruct', 'meta-llama/Llama-3.1-8B', 'BAAI/bge-m3', 'a/b'])(
    'accepts %s',
    (id) => {
      expect(validateRepoId(id, true).name).toBe(id.split('/')[1]);
    },
  );
  it('accepts a bare name only where the hub allows it', () => {
    expect(validateRepoId('gpt2', false)).toEqual({ org: undefined, name: 'gpt2' });
    expect(() => validateRepoId('gpt2', true)).toThrow(/org\/name/);
  });
  it.each([
    '../x',
    'a/..',
    'a/../b',
    'a/b/c',
    '/a/b',
    'a//b',
    'a/b?x=1',
    'a/b#f',
    'https://evil/x',
    'a/.',
    '.a/b',
    'a/b.',
    'a /b',
    'a/b%2e%2e',
    '',
  ])('refuses %j', (id) => {
    expect(() => validateRepoId(id, false)).toThrow(
      expect.objectContaining({ code: 'INVALID_MODEL_REFERENCE' }),
    );
  });
});

describe('validateRevision', () => {
  it.each(['main', 'v1.0.0', 'refs/pr/1', 'a'.repeat(40), 'master'])('accepts %s', (r) => {
    expect(validateRevision(r)).toBe(r);
  });
  it.each(['', '..', 'a/../b', '/main', 'main/', 'ma in', 'a?b', 'x'.repeat(129)])('refuses %j', (r) => {
    expect(() => validateRevision(r)).toThrow(expect.objectContaining({ code: 'INVALID_MODEL_REFERENCE' }));
  });
});

describe('file paths listed by a hub', () => {
  it.each(['config.json', 'onnx/model.onnx', '.gitattributes', 'a/b/c/d.bin', '模型.bin'])(
    'accepts %s',
    (p) => {
      expect(isSafeRelativePath(p)).toBe(true);
    },
  );
  it.each([
    '',
    '/etc/passwd',
    '../x',
    'a/../../x',
    'a/./b',
    'a//b',
    'a\\b',
    'C:\\x',
    'https://evil/x',
    'a\u0000b',
    'a\nb',
    'a/',
  ])('refuses %j', (p) => {
    expect(isSafeRelativePath(p)).toBe(false);
    expect(() => validateFilePath(p, 'org/m')).toThrow(/unsafe file path/);
  });
  it('encodes each segment for URLs', () => {
    expect(encodePath('dir with space/a#b?.json')).toBe('dir%20with%20space/a%23b%3F.json');
  });
});
