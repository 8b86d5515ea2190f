/**
 * Which files of a repository the engine loads: the weights whose bytes it will hold in memory, and for
 * GGUF the file whose header to read. vLLM and SGLang load the `*.safetensors` of the repository root (or
 * `*.bin` without them); llama.cpp loads one GGUF variant (every part of a split one).
 */
import type { EngineType } from '../core/domain/model.js';

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

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

function base(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Every part of the split set `path` belongs to (or just `path`), in order. */
function withParts(all: RepoFile[], chosen: RepoFile): RepoFile[] {
  const m = SPLIT.exec(chosen.path);
  if (!m) return [chosen];
  const prefix = chosen.path.slice(0, chosen.path.length - m[0].length);
  return all
    .filter((f) => {
      const n = SPLIT.exec(f.path);
      return n !== null && n[2] === m[2] && f.path.slice(0, f.path.length - n[0].length) === prefix;
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Picks the GGUF variant: `file` as an exact path or file name, else as a quantisation tag (`Q4_K_M`);
 * without `file`, the only variant there is. Several variants and no choice: none (the caller says so).
 */
export function pickGguf(ggufs: RepoFile[], file?: string): { files: RepoFile[]; note?: string } {
  if (ggufs.length === 0) return { files: [], note: 'no .gguf file in the repository' };
  let chosen: RepoFile | undefined;
  if (file !== undefined) {
    chosen = ggufs.find((f) => f.path === file) ?? ggufs.find((f) => base(f.path) === file);
    if (!chosen) {
      const tag = file.replace(/[^A-Za-z0-9_]/g, '');
      const re = new RegExp(`(^|[-_.])${tag}([-_.]|$)`, 'i');
      const hits = ggufs.filter((f) => re.test(base(f.path)));
      chosen = hits.find((f) => !SPLIT.test(f.path) || /-00001-of-/i.test(f.path)) ?? hits[0];
    }
    if (!chosen) return { files: [], note: `no GGUF file matches "${file}"` };
  } else {
    const firsts = ggufs.filter((f) => !SPLIT.test(f.path) || /-00001-of-/i.test(f.path));
    if (firsts.length === 1) chosen = firsts[0];
    else return { files: [], note: `${firsts.length} GGUF variants and none chosen` };
  }
  return { files: withParts(ggufs, chosen!) };
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
