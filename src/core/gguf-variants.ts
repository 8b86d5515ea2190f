/**
 * GGUF variants of a repository and the choice of the one llama.cpp loads. Pure: a file list in (the
 * hub's, a stored manifest's or a local directory's), variants and a decision out. The server (catalog
 * detail, import checks), the node's cache manager (what to download) and the CLI share this one rule.
 *
 * A variant is one loadable model: a single `.gguf` file, or every part of a split model
 * (`name-00001-of-00003.gguf` ...). Projector files (`mmproj-*`) and importance matrices are not variants.
 */

/** A file of a repository or directory: path relative to its root ("/"-separated), size when known. */
export interface GgufListedFile {
  path: string;
  size: number | null;
}

export interface GgufVariant {
  /** The path llama.cpp is given: the file itself, or the first part of a split model. */
  name: string;
  /** Quantisation token from the file name (`Q4_K_M`, `IQ4_XS`, `F16`, `UD-Q4_K_XL`), null when none. */
  quant: string | null;
  /** Every file of the variant in load order (one, or the parts of a split). */
  files: string[];
  /** Total bytes of its files; null when a size is unknown. */
  size: number | null;
}

/** What the spec asks for (`gguf_file` wins over `gguf_quant`; neither: the default rule). */
export interface GgufChoice {
  gguf_file?: string | undefined;
  gguf_quant?: string | undefined;
}

export type GgufResolution =
  | { ok: true; variant: GgufVariant; by: 'file' | 'quant' | 'default' | 'only' }
  | {
      ok: false;
      code: 'GGUF_NO_VARIANTS' | 'GGUF_VARIANT_NOT_FOUND' | 'GGUF_VARIANT_AMBIGUOUS';
      message: string;
      /** Names of the variants one could ask for (all of them, or the ambiguous ones). */
      available: string[];
    };

/**
 * Quantisations the default rule prefers, in order: the usual size/quality sweet spot first, then the
 * next-best common ones. When none is present the smallest variant is taken.
 */
export const GGUF_DEFAULT_PREFERENCE: readonly string[] = [
  'Q4_K_M',
  'Q4_K_S',
  'Q5_K_M',
  'Q4_0',
  'Q5_K_S',
  'Q6_K',
  'Q8_0',
];

/** The default rule in words, for `--help`, docs and the console. */
export const GGUF_DEFAULT_RULE = `without a file or quantisation the first present of ${GGUF_DEFAULT_PREFERENCE.join(', ')} is loaded, else the smallest variant`;

/**
 * Whether `path` may name a GGUF file of a repository or directory: relative, "/"-separated, no empty,
 * "." or ".." segment, no backslash or control character, ending in `.gguf`.
 */
export function isSafeGgufPath(path: string): boolean {
  if (path.length === 0 || path.length > 512 || !/\.gguf$/i.test(path)) return false;
  if (path.startsWith('/') || path.includes('\\')) return false;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return false;
  }
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/** Quantisation tag a spec may name (`Q4_K_M`, `IQ4_XS`, `UD-Q4_K_XL`). */
export const GGUF_QUANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;
const QUANT =
  /(?<![A-Za-z0-9])((?:UD-)?(?:I?Q[1-8](?:_[0-9A-Z]{1,3})*|TQ[12]_0|BF16|FP16|FP32|F16|F32|MXFP4(?:_MOE)?))(?![A-Za-z0-9])/gi;

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/**
 * Not a model of its own: vision projectors, and importance-matrix files shipped next to the variants
 * (`imatrix.gguf`; a quantised model whose name mentions its imatrix still carries a quant tag).
 */
function isAuxiliary(path: string): boolean {
  const b = baseName(path).toLowerCase();
  return b.startsWith('mmproj') || (b.includes('imatrix') && ggufQuantOf(path) === null);
}

/** The quantisation token of a GGUF file name (the last one in it), upper-cased; null when none. */
export function ggufQuantOf(path: string): string | null {
  const stem = baseName(path)
    .replace(/-\d{5}-of-\d{5}\.gguf$/i, '')
    .replace(/\.gguf$/i, '');
  let last: string | null = null;
  for (const m of stem.matchAll(QUANT)) last = m[1] ?? null;
  return last === null ? null : last.toUpperCase();
}

/** Same quantisation, spelling aside (`fp16` is `F16`). */
function sameQuant(a: string, b: string): boolean {
  const norm = (s: string) => s.toUpperCase().replace(/^FP(16|32)$/, 'F$1');
  return norm(a) === norm(b);
}

function sum(sizes: readonly (number | null)[]): number | null {
  let t = 0;
  for (const s of sizes) {
    if (s === null) return null;
    t += s;
  }
  return t;
}

/**
 * The loadable variants among `files`, sorted by name. Split models whose parts are not all listed are
 * left out (llama.cpp could not load them).
 */
export function ggufVariants(files: readonly GgufListedFile[]): GgufVariant[] {
  const singles: GgufVariant[] = [];
  const splits = new Map<string, { total: number; parts: Map<number, GgufListedFile> }>();
  for (const f of files) {
    if (!/\.gguf$/i.test(f.path) || isAuxiliary(f.path)) continue;
    const m = SPLIT.exec(f.path);
    if (!m) {
      singles.push({ name: f.path, quant: ggufQuantOf(f.path), files: [f.path], size: f.size });
      continue;
    }
    const total = Number(m[3]);
    const key = `${m[1] ?? ''}\0${total}`;
    const group = splits.get(key) ?? { total, parts: new Map<number, GgufListedFile>() };
    group.parts.set(Number(m[2]), f);
    splits.set(key, group);
  }
  const out = [...singles];
  for (const { total, parts } of splits.values()) {
    const ordered: GgufListedFile[] = [];
    for (let i = 1; i <= total; i++) {
      const p = parts.get(i);
      if (p) ordered.push(p);
    }
    if (ordered.length !== total || parts.size !== total || total === 0) continue;
    const first = ordered[0] as GgufListedFile;
    out.push({
      name: first.path,
      quant: ggufQuantOf(first.path),
      files: ordered.map((p) => p.path),
      size: sum(ordered.map((p) => p.size)),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Smallest first (unknown sizes last), then single files before splits, then by name. */
function compareForDefault(a: GgufVariant, b: GgufVariant): number {
  const sa = a.size ?? Number.POSITIVE_INFINITY;
  const sb = b.size ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.files.length !== b.files.length) return a.files.length - b.files.length;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The variant the default rule picks (GGUF_DEFAULT_RULE); undefined when there is none. */
export function defaultGgufVariant(variants: readonly GgufVariant[]): GgufVariant | undefined {
  for (const q of GGUF_DEFAULT_PREFERENCE) {
    const hits = variants.filter((v) => v.quant !== null && sameQuant(v.quant, q));
    if (hits.length > 0) return [...hits].sort(compareForDefault)[0];
  }
  return [...variants].sort(compareForDefault)[0];
}

/** How a variant is offered to people: `Q4_K_M (file.gguf)` or the file alone. */
export function describeVariant(v: GgufVariant): string {
  return v.quant ? `${v.quant} (${v.name})` : v.name;
}

function listAvailable(variants: readonly GgufVariant[]): string {
  const shown = variants.slice(0, 20).map(describeVariant).join(', ');
  return variants.length > 20 ? `${shown}, ... (${variants.length} in all)` : shown;
}

/**
 * Picks the variant to load from `files`: an exact file name (the variant's name, any of its parts, or,
 * when unique, the same path in another case or the bare file name) beats a quantisation tag (compared
 * case-insensitively with the token in the file names), which beats the default rule. A failure says
 * why and lists what is available. `where` names the repository or directory in messages.
 */
export function resolveGgufVariant(
  files: readonly GgufListedFile[],
  choice: GgufChoice,
  where = 'the repository',
): GgufResolution {
  const variants = ggufVariants(files);
  if (variants.length === 0) {
    return {
      ok: false,
      code: 'GGUF_NO_VARIANTS',
      message: `${where} has no loadable .gguf file`,
      available: [],
    };
  }
  const names = variants.map((v) => v.name);
  if (choice.gguf_file !== undefined) {
    const want = choice.gguf_file;
    const exact = variants.find((v) => v.files.includes(want));
    if (exact) return { ok: true, variant: exact, by: 'file' };
    const lower = want.toLowerCase();
    for (const match of [
      (p: string) => p.toLowerCase() === lower,
      (p: string) => !want.includes('/') && baseName(p).toLowerCase() === lower,
    ]) {
      const hits = variants.filter((v) => v.files.some(match));
      if (hits.length === 1) return { ok: true, variant: hits[0] as GgufVariant, by: 'file' };
      if (hits.length > 1) {
        return {
          ok: false,
          code: 'GGUF_VARIANT_AMBIGUOUS',
          message: `gguf_file "${want}" matches several files in ${where}: ${listAvailable(hits)}; give the full path`,
          available: hits.map((v) => v.name),
        };
      }
    }
    return {
      ok: false,
      code: 'GGUF_VARIANT_NOT_FOUND',
      message: `gguf_file "${want}" is not a GGUF variant of ${where}; available: ${listAvailable(variants)}`,
      available: names,
    };
  }
  if (choice.gguf_quant !== undefined) {
    const want = choice.gguf_quant;
    const hits = variants.filter((v) => v.quant !== null && sameQuant(v.quant, want));
    if (hits.length === 1) return { ok: true, variant: hits[0] as GgufVariant, by: 'quant' };
    if (hits.length > 1) {
      return {
        ok: false,
        code: 'GGUF_VARIANT_AMBIGUOUS',
        message: `gguf_quant "${want}" matches several variants in ${where}: ${listAvailable(hits)}; name the file with gguf_file`,
        available: hits.map((v) => v.name),
      };
    }
    return {
      ok: false,
      code: 'GGUF_VARIANT_NOT_FOUND',
      message: `no GGUF variant with quantisation "${want}" in ${where}; available: ${listAvailable(variants)}`,
      available: names,
    };
  }
  if (variants.length === 1) return { ok: true, variant: variants[0] as GgufVariant, by: 'only' };
  return { ok: true, variant: defaultGgufVariant(variants) as GgufVariant, by: 'default' };
}
