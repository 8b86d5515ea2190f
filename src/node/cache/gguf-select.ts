/**
 * llama.cpp loads one GGUF variant of a repository (or of a local directory): the cache manager fetches
 * and keeps only that variant's files, and hands the engine its first file. The choice itself is the
 * shared pure rule of `core/gguf-variants.ts`; this module applies it to manifests and directories.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from '../../core/domain/index.js';
import {
  resolveGgufVariant,
  type GgufChoice,
  type GgufListedFile,
  type GgufVariant,
} from '../../core/gguf-variants.js';
import { CacheError } from './errors.js';
import type { Manifest } from './manifest.js';

/** The GGUF choice of a spec, or undefined when its engine loads whole repositories (not llama.cpp). */
export function ggufChoiceOf(
  spec: Pick<ModelSpec, 'engine_type' | 'gguf_file' | 'gguf_quant'>,
): GgufChoice | undefined {
  if (spec.engine_type !== 'llamacpp') return undefined;
  const c: GgufChoice = {};
  if (spec.gguf_file !== undefined) c.gguf_file = spec.gguf_file;
  if (spec.gguf_quant !== undefined) c.gguf_quant = spec.gguf_quant;
  return c;
}

/** A stable key of a choice, so downloads of different variants of one repository are not merged. */
export function ggufChoiceKey(choice: GgufChoice | undefined): string {
  if (!choice) return '';
  if (choice.gguf_file !== undefined) return `#file=${choice.gguf_file}`;
  if (choice.gguf_quant !== undefined) return `#quant=${choice.gguf_quant.toUpperCase()}`;
  return '#gguf';
}

/** Resolves or throws the CacheError that names what is available. */
export function pickVariant(
  files: readonly GgufListedFile[],
  choice: GgufChoice,
  where: string,
): GgufVariant {
  const r = resolveGgufVariant(files, choice, where);
  if (!r.ok) throw new CacheError(r.message, r.code);
  return r.variant;
}

/**
 * The manifest narrowed to the chosen variant's files (every part of a split), remembering the full
 * listing so later choices resolve offline.
 */
export function narrowManifest(
  manifest: Manifest,
  choice: GgufChoice,
): { manifest: Manifest; variant: GgufVariant } {
  const variant = pickVariant(manifest.files, choice, `${manifest.repoId}@${manifest.revision}`);
  const wanted = new Set(variant.files);
  return {
    variant,
    manifest: {
      ...manifest,
      files: manifest.files.filter((f) => wanted.has(f.path)),
      listing: manifest.files.map((f) => ({ path: f.path, size: f.size })),
    },
  };
}

/** `.gguf` files under a local directory (three levels deep at most, hidden entries skipped). */
export async function listLocalGguf(dir: string, depth = 3, rel = ''): Promise<GgufListedFile[]> {
  const out: GgufListedFile[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(dir, ...rel.split('/').filter(Boolean)), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && depth > 1) out.push(...(await listLocalGguf(dir, depth - 1, r)));
    else if ((e.isFile() || e.isSymbolicLink()) && /\.gguf$/i.test(e.name)) {
      const s = await stat(join(dir, ...r.split('/'))).catch(() => undefined);
      if (s?.isFile()) out.push({ path: r, size: s.size });
    }
  }
  return out;
}
