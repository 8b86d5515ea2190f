/**
 * Which files of a repository the engine loads: the weights whose bytes it will hold in memory, and for
 * GGUF the file whose header to read. vLLM and SGLang load the `*.safetensors` of the repository root (or
 * `*.bin` without them); llama.cpp loads one GGUF variant (every part of a split one).
 */
import type { EngineType } from '../core/domain/model.js';
import { resolveGgufVariant, type GgufChoice } from '../core/gguf-variants.js';

export interface RepoFile {
  path: string;
  size: number | null;
}

export interface WeightSelection {
  format: 'safetensors' | 'gguf' | 'pytorch' | 'unknown';
  /** The files the engine loads. */
  files: RepoFile[];
  /** The GGUF file to read the header of (the first part of a split model). */
  ggufFile?: string;
  /** Why nothing (or not everything) could be chosen. */
  note?: string;
}

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Picks the GGUF variant with the product's one rule (src/core/gguf-variants.ts, what the node downloads and
 * llama-server loads): `file` ending `.gguf` is the spec's `gguf_file`, anything else its `gguf_quant`;
 * without `file`, the documented default rule. Every part of a split variant comes back, in load order.
 */
export function pickGguf(ggufs: RepoFile[], file?: string): { files: RepoFile[]; note?: string } {
  const choice: GgufChoice =
    file === undefined ? {} : /\.gguf$/i.test(file) ? { gguf_file: file } : { gguf_quant: file };
  const r = resolveGgufVariant(ggufs, choice);
  if (!r.ok) return { files: [], note: r.message };
  const byPath = new Map(ggufs.map((f) => [f.path, f] as const));
  return { files: r.variant.files.flatMap((p) => byPath.get(p) ?? []) };
}

/** Chooses the weight files the engine loads from a repository's file list. */
export function selectWeightFiles(
  files: readonly RepoFile[],
  opts: { engine: EngineType; file?: string | undefined },
): WeightSelection {
  const root = files.filter((f) => !f.path.includes('/'));
  let safetensors = root.filter((f) => /\.safetensors$/i.test(f.path));
  // Mistral repositories ship the same weights twice (HF shards and consolidated.safetensors).
  if (safetensors.some((f) => !/^consolidated/i.test(f.path)))
    safetensors = safetensors.filter((f) => !/^consolidated/i.test(f.path));
  const bins = root.filter((f) => /\.(bin|pt|pth)$/i.test(f.path) && !/^training_args/i.test(f.path));
  const ggufs = files.filter((f) => /\.gguf$/i.test(f.path) && !/mmproj/i.test(base(f.path)));
  const wantGguf = opts.engine === 'llamacpp' || (safetensors.length === 0 && bins.length === 0);
  if (wantGguf && ggufs.length > 0) {
    const pick = pickGguf(ggufs, opts.file);
    if (pick.files.length === 0) return { format: 'gguf', files: [], note: pick.note ?? 'no GGUF chosen' };
    return { format: 'gguf', files: pick.files, ggufFile: pick.files[0]!.path };
  }
  if (safetensors.length > 0) return { format: 'safetensors', files: safetensors };
  if (bins.length > 0) return { format: 'pytorch', files: bins };
  return { format: 'unknown', files: [], note: 'no weight files found' };
}
