import { describe, expect, it } from 'vitest';
import { messageText, renderChat, tokenize } from './tokenizer.js';

describe('tokenize', () => {
  it('splits on whitespace, keeps the leading space with the word, and chunks long words', () => {
    expect(tokenize('hello world')).toEqual(['hello', ' world']);
    expect(tokenize('internationalization')).toEqual(['intern', 'ationa', 'lizati', 'on']);
    expect(tokenize('  a\n\nb  ')).toEqual(['  a', '\n\nb', '  ']);
    expect(tokenize('')).toEqual([]);
  });

  it('is lossless and deterministic', () => {
    const texts = [
      'The quick brown fox, jumps!',
      '  leading',
      'trailing  ',
      'tab\tsep\r\nlines',
      '日本語のテキストです 漢字',
    ];
    for (const t of texts) {
      expect(tokenize(t).join('')).toBe(t);
      expect(tokenize(t)).toEqual(tokenize(t));
    }
  });
});

describe('renderChat', () => {
  it('renders roles and text parts so shared first messages give a shared prefix', () => {
    const sys = { role: 'system', content: 'be brief' };
    const a = renderChat([sys, { role: 'user', content: 'one' }]);
    const b = renderChat([sys, { role: 'user', content: [{ type: 'text', text: 'two' }] }]);
    expect(a).toBe('<|system|>\nbe brief\n<|user|>\none\n<|assistant|>\n');
    expect(b.startsWith('<|system|>\nbe brief\n<|user|>\n')).toBe(true);
    expect(b).toContain('two');
  });

  it('extracts text from content of every shape', () => {
    expect(messageText('x')).toBe('x');
    expect(messageText(null)).toBe('');
    expect(messageText([{ type: 'text', text: 'a' }, { type: 'image_url' }])).toBe('a<image_url>');
  });
});
