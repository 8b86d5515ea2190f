import { describe, expect, it } from 'vitest';
import {
  defaultGgufVariant,
  ggufQuantOf,
  ggufVariants,
  isSafeGgufPath,
  resolveGgufVariant,
  type GgufChoice,
  type GgufListedFile,
} from './gguf-variants.js';

const GB = 1024 ** 3;
const f = (path: string, size: number | null = 1): GgufListedFile => ({ path, size });
const pad5 = (n: number) => String(n).padStart(5, '0');
/** A model split by gguf-split: its parts `<stem>-0000N-of-0000M.gguf`, one per size, in order. */
const split = (stem: string, ...sizes: number[]): GgufListedFile[] =>
  sizes.map((size, i) => f(`${stem}-${pad5(i + 1)}-of-${pad5(sizes.length)}.gguf`, size));

/** Qwen's own repository style: lower-case, `fp16`, big quantisations split. */
const qwen7b: GgufListedFile[] = [
  f('.gitattributes', 1800),
  f('LICENSE', 11_000),
  f('README.md', 5000),
  ...split('qwen2.5-7b-instruct-fp16', 3.9 * GB, 3.9 * GB, 3.9 * GB, 3.5 * GB),
  ...split('qwen2.5-7b-instruct-q2_k', 2 * GB, 1 * GB),
  ...split('qwen2.5-7b-instruct-q4_0', 3.9 * GB, 0.5 * GB),
  ...split('qwen2.5-7b-instruct-q4_k_m', 3.9 * GB, 0.8 * GB),
  ...split('qwen2.5-7b-instruct-q8_0', 3.9 * GB, 3.9 * GB, 0.3 * GB),
];

/** The built-in template's repository (single files). */
const qwen05b: GgufListedFile[] = [
  f('.gitattributes', 1800),
  f('README.md', 4000),
  f('qwen2.5-0.5b-instruct-fp16.gguf', 1_270_000_000),
  f('qwen2.5-0.5b-instruct-q2_k.gguf', 415_000_000),
  f('qwen2.5-0.5b-instruct-q3_k_m.gguf', 432_000_000),
  f('qwen2.5-0.5b-instruct-q4_0.gguf', 429_000_000),
  f('qwen2.5-0.5b-instruct-q4_k_m.gguf', 491_000_000),
  f('qwen2.5-0.5b-instruct-q5_0.gguf', 490_000_000),
  f('qwen2.5-0.5b-instruct-q5_k_m.gguf', 522_000_000),
  f('qwen2.5-0.5b-instruct-q6_k.gguf', 650_000_000),
  f('qwen2.5-0.5b-instruct-q8_0.gguf', 676_000_000),
];

/** bartowski style: `Model-QUANT.gguf`, IQ quants, `_L` variants, big quants split into a folder. */
const bartowski: GgufListedFile[] = [
  f('.gitattributes'),
  f('Meta-Llama-3.1-70B-Instruct.imatrix', 30_000_000),
  f('Meta-Llama-3.1-70B-Instruct-IQ2_XXS.gguf', 19 * GB),
  f('Meta-Llama-3.1-70B-Instruct-IQ4_XS.gguf', 37.9 * GB),
  f('Meta-Llama-3.1-70B-Instruct-Q3_K_L.gguf', 37.1 * GB),
  f('Meta-Llama-3.1-70B-Instruct-Q4_0_4_4.gguf', 40 * GB),
  f('Meta-Llama-3.1-70B-Instruct-Q4_K_L.gguf', 43.3 * GB),
  f('Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf', 42.5 * GB),
  ...split('Meta-Llama-3.1-70B-Instruct-Q5_K_M/Meta-Llama-3.1-70B-Instruct-Q5_K_M', 39 * GB, 10.9 * GB),
  ...split('Meta-Llama-3.1-70B-Instruct-Q8_0/Meta-Llama-3.1-70B-Instruct-Q8_0', 39 * GB, 36 * GB),
  f('README.md'),
];

/** unsloth style: UD dynamic quants, BF16 split in a folder, vision projectors. */
const unsloth: GgufListedFile[] = [
  f('.gitattributes'),
  ...split('BF16/gemma-3-27b-it-BF16', 49 * GB, 5 * GB),
  f('README.md'),
  f('gemma-3-27b-it-IQ4_NL.gguf', 15.6 * GB),
  f('gemma-3-27b-it-Q4_K_M.gguf', 16.5 * GB),
  f('gemma-3-27b-it-UD-Q4_K_XL.gguf', 16.8 * GB),
  f('gemma-3-27b-it-UD-IQ2_M.gguf', 10 * GB),
  f('mmproj-BF16.gguf', 858_000_000),
  f('mmproj-F16.gguf', 858_000_000),
  f('mmproj-F32.gguf', 1_700_000_000),
];

/** TheBloke style: dots as separators. */
const theBloke: GgufListedFile[] = [
  f('llama-2-7b-chat.Q2_K.gguf', 2.8 * GB),
  f('llama-2-7b-chat.Q3_K_S.gguf', 2.9 * GB),
  f('llama-2-7b-chat.Q5_K_S.gguf', 4.6 * GB),
  f('llama-2-7b-chat.Q6_K.gguf', 5.5 * GB),
  f('config.json', 30),
];

describe('ggufQuantOf', () => {
  it.each([
    ['qwen2.5-0.5b-instruct-q4_k_m.gguf', 'Q4_K_M'],
    ['qwen2.5-7b-instruct-fp16-00001-of-00004.gguf', 'FP16'],
    ['Meta-Llama-3.1-70B-Instruct-IQ2_XXS.gguf', 'IQ2_XXS'],
    ['Meta-Llama-3.1-70B-Instruct-Q4_0_4_4.gguf', 'Q4_0_4_4'],
    ['dir/Meta-Llama-3.1-70B-Instruct-Q8_0-00002-of-00002.gguf', 'Q8_0'],
    ['gemma-3-27b-it-UD-Q4_K_XL.gguf', 'UD-Q4_K_XL'],
    ['BF16/gemma-3-27b-it-BF16-00001-of-00002.gguf', 'BF16'],
    ['llama-2-7b-chat.Q5_K_S.gguf', 'Q5_K_S'],
    ['gpt-oss-20b-MXFP4.gguf', 'MXFP4'],
    ['Qwen3-0.6B-Q8_0.gguf', 'Q8_0'],
    ['tiny-F16.gguf', 'F16'],
    ['BitNet-b1.58-2B-TQ1_0.gguf', 'TQ1_0'],
    ['model.gguf', null],
    ['Qwen2-7B.gguf', null],
  ])('%s -> %s', (name, quant) => {
    expect(ggufQuantOf(name)).toBe(quant);
  });
});

describe('ggufVariants', () => {
  it('groups split parts into one variant with the total size, first part as its name', () => {
    const vs = ggufVariants(qwen7b);
    expect(vs.map((v) => [v.quant, v.files.length])).toEqual([
      ['FP16', 4],
      ['Q2_K', 2],
      ['Q4_0', 2],
      ['Q4_K_M', 2],
      ['Q8_0', 3],
    ]);
    const q4 = vs.find((v) => v.quant === 'Q4_K_M');
    expect(q4?.name).toBe('qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf');
    expect(q4?.size).toBe(3.9 * GB + 0.8 * GB);
    expect(q4?.files).toEqual([
      'qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf',
      'qwen2.5-7b-instruct-q4_k_m-00002-of-00002.gguf',
    ]);
  });

  it('orders parts by number whatever the listing order', () => {
    const vs = ggufVariants([
      f('m-Q8_0-00003-of-00003.gguf'),
      f('m-Q8_0-00001-of-00003.gguf'),
      f('m-Q8_0-00002-of-00003.gguf'),
    ]);
    expect(vs).toHaveLength(1);
    expect(vs[0]?.files).toEqual([
      'm-Q8_0-00001-of-00003.gguf',
      'm-Q8_0-00002-of-00003.gguf',
      'm-Q8_0-00003-of-00003.gguf',
    ]);
  });

  it('leaves out projectors, imatrix files, non-GGUF files and incomplete splits', () => {
    expect(ggufVariants(unsloth).map((v) => v.name)).toEqual([
      'BF16/gemma-3-27b-it-BF16-00001-of-00002.gguf',
      'gemma-3-27b-it-IQ4_NL.gguf',
      'gemma-3-27b-it-Q4_K_M.gguf',
      'gemma-3-27b-it-UD-IQ2_M.gguf',
      'gemma-3-27b-it-UD-Q4_K_XL.gguf',
    ]);
    expect(ggufVariants(bartowski)).toHaveLength(8);
    expect(ggufVariants([f('a-Q4_0-00001-of-00002.gguf'), f('b.safetensors'), f('imatrix.gguf')])).toEqual(
      [],
    );
  });

  it('keeps quantised models whose names mention imatrix or i1 (mradermacher style)', () => {
    const vs = ggufVariants([
      f('Llama-3-8B.i1-Q4_K_M.gguf'),
      f('Llama-3-8B.i1-IQ3_XXS.gguf'),
      f('llama-3-8b-q5_k_m-imatrix.gguf'),
      f('Llama-3-8B.imatrix.gguf'),
    ]);
    expect(vs.map((v) => v.quant)).toEqual(['IQ3_XXS', 'Q4_K_M', 'Q5_K_M']);
  });

  it('keeps two splits with the same stem but different part counts apart', () => {
    const vs = ggufVariants([
      f('m-Q4_0-00001-of-00002.gguf'),
      f('m-Q4_0-00002-of-00002.gguf'),
      f('m-Q4_0-00001-of-00003.gguf'),
    ]);
    expect(vs.map((v) => v.files.length)).toEqual([2]);
  });

  it('reports an unknown size when a part has none', () => {
    const vs = ggufVariants([f('m-Q4_0-00001-of-00002.gguf', 5), f('m-Q4_0-00002-of-00002.gguf', null)]);
    expect(vs[0]?.size).toBeNull();
  });
});

describe('default rule', () => {
  it('prefers Q4_K_M (the built-in template repository)', () => {
    expect(defaultGgufVariant(ggufVariants(qwen05b))?.name).toBe('qwen2.5-0.5b-instruct-q4_k_m.gguf');
    expect(defaultGgufVariant(ggufVariants(bartowski))?.name).toBe('Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf');
    expect(defaultGgufVariant(ggufVariants(unsloth))?.name).toBe('gemma-3-27b-it-Q4_K_M.gguf');
  });

  it('takes a split Q4_K_M as a whole', () => {
    const r = resolveGgufVariant(qwen7b, {});
    expect(r.ok && r.by).toBe('default');
    expect(r.ok && r.variant.files).toHaveLength(2);
  });

  it('falls back along the preference list, then to the smallest', () => {
    // Q4_K_M, Q4_K_S absent; Q5_K_S present before Q6_K.
    expect(defaultGgufVariant(ggufVariants(theBloke))?.name).toBe('llama-2-7b-chat.Q5_K_S.gguf');
    expect(
      defaultGgufVariant(ggufVariants([f('a-F16.gguf', 10), f('a-IQ2_M.gguf', 3), f('a-Q3_K_L.gguf', 4)]))
        ?.name,
    ).toBe('a-IQ2_M.gguf');
    // Unknown sizes come last.
    expect(defaultGgufVariant(ggufVariants([f('a-F16.gguf', null), f('a-F32.gguf', 9)]))?.name).toBe(
      'a-F32.gguf',
    );
    // Ties: single file before split, then name.
    expect(
      defaultGgufVariant(
        ggufVariants([
          f('b-F16.gguf', 4),
          f('a-F16-00001-of-00002.gguf', 2),
          f('a-F16-00002-of-00002.gguf', 2),
          f('a-F32.gguf', 4),
        ]),
      )?.name,
    ).toBe('a-F32.gguf');
  });

  it('says "only" when there is a single variant, and fails without any', () => {
    const one = resolveGgufVariant([f('README.md'), f('tiny.gguf', 5)], {});
    expect(one).toMatchObject({ ok: true, by: 'only', variant: { name: 'tiny.gguf' } });
    const none = resolveGgufVariant([f('model.safetensors'), f('mmproj-F16.gguf')], {}, 'org/x');
    expect(none).toMatchObject({
      ok: false,
      code: 'GGUF_NO_VARIANTS',
      message: 'org/x has no loadable .gguf file',
    });
  });
});

describe('resolveGgufVariant', () => {
  it('exact file name beats the tag', () => {
    const r = resolveGgufVariant(qwen05b, {
      gguf_file: 'qwen2.5-0.5b-instruct-q8_0.gguf',
      gguf_quant: 'Q4_K_M',
    });
    expect(r).toMatchObject({ ok: true, by: 'file', variant: { quant: 'Q8_0' } });
  });

  it('a part of a split selects the whole split; folder paths and bare names both work', () => {
    const second = 'Meta-Llama-3.1-70B-Instruct-Q8_0/Meta-Llama-3.1-70B-Instruct-Q8_0-00002-of-00002.gguf';
    const r = resolveGgufVariant(bartowski, { gguf_file: second });
    expect(r.ok && r.variant.name).toBe(
      'Meta-Llama-3.1-70B-Instruct-Q8_0/Meta-Llama-3.1-70B-Instruct-Q8_0-00001-of-00002.gguf',
    );
    const bare = resolveGgufVariant(bartowski, {
      gguf_file: 'meta-llama-3.1-70b-instruct-q8_0-00001-of-00002.gguf',
    });
    expect(bare.ok && bare.variant.files).toHaveLength(2);
  });

  it.each<[string, GgufListedFile[], object]>([
    ['q5_k_m', qwen05b, { ok: true, by: 'quant', variant: { name: 'qwen2.5-0.5b-instruct-q5_k_m.gguf' } }],
    // Q4_K is a prefix of Q4_K_M and Q4_K_L but names neither.
    ['Q4_K', bartowski, { ok: false, code: 'GGUF_VARIANT_NOT_FOUND' }],
    ['Q4_K_L', bartowski, { ok: true, variant: { name: 'Meta-Llama-3.1-70B-Instruct-Q4_K_L.gguf' } }],
    // UD quants are their own tag.
    ['ud-q4_k_xl', unsloth, { ok: true, variant: { name: 'gemma-3-27b-it-UD-Q4_K_XL.gguf' } }],
    // fp16 and F16 are the same thing.
    ['F16', qwen7b, { ok: true, variant: { quant: 'FP16' } }],
    ['bf16', unsloth, { ok: true, variant: { files: { length: 2 } } }],
  ])('matches tags case-insensitively on the quant token only: %s', (gguf_quant, files, want) => {
    expect(resolveGgufVariant(files, { gguf_quant })).toMatchObject(want);
  });

  it('refuses an unknown tag or file, naming the variants', () => {
    const r = resolveGgufVariant(qwen05b, { gguf_quant: 'Q3_K_S' }, 'Qwen/Qwen2.5-0.5B-Instruct-GGUF');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('GGUF_VARIANT_NOT_FOUND');
    expect(r.available).toHaveLength(9);
    expect(r.message).toContain(
      'no GGUF variant with quantisation "Q3_K_S" in Qwen/Qwen2.5-0.5B-Instruct-GGUF',
    );
    expect(r.message).toContain('Q4_K_M (qwen2.5-0.5b-instruct-q4_k_m.gguf)');
    const file = resolveGgufVariant(unsloth, { gguf_file: 'mmproj-F16.gguf' });
    expect(file).toMatchObject({ ok: false, code: 'GGUF_VARIANT_NOT_FOUND' });
  });

  describe('refuses a tag or bare name that matches several variants', () => {
    const files = [f('a/m-Q4_0.gguf'), f('b/m-Q4_0.gguf'), f('m-abliterated-Q8_0.gguf'), f('m-Q8_0.gguf')];
    it.each<[GgufChoice, object]>([
      [
        { gguf_quant: 'Q8_0' },
        { ok: false, code: 'GGUF_VARIANT_AMBIGUOUS', available: ['m-Q8_0.gguf', 'm-abliterated-Q8_0.gguf'] },
      ],
      [{ gguf_file: 'm-Q4_0.gguf' }, { ok: false, code: 'GGUF_VARIANT_AMBIGUOUS' }],
      // A folder path names one of them.
      [{ gguf_file: 'b/m-Q4_0.gguf' }, { ok: true, variant: { name: 'b/m-Q4_0.gguf' } }],
    ])('%o', (choice, want) => {
      expect(resolveGgufVariant(files, choice)).toMatchObject(want);
    });
  });
});

describe('isSafeGgufPath', () => {
  it.each(['a.gguf', 'Q4_K_M/a-00001-of-00002.gguf', 'x.GGUF', 'a b.gguf'])('accepts %s', (p) => {
    expect(isSafeGgufPath(p)).toBe(true);
  });
  it.each([
    '',
    '/abs/a.gguf',
    '../a.gguf',
    'a/../b.gguf',
    './a.gguf',
    'a//b.gguf',
    'a\\b.gguf',
    'a.bin',
    'a.gguf\n',
    'a\u0000.gguf',
  ])('refuses %j', (p) => {
    expect(isSafeGgufPath(p)).toBe(false);
  });
});
