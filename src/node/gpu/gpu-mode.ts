import { parseBytes } from '../../core/config.js';
import { NodeConfigError } from '../errors.js';

/** How the agent learns its GPUs: nvidia-smi, a simulated set, or none. */
export type GpuMode = { kind: 'auto' } | { kind: 'none' } | { kind: 'sim'; memoryBytes: number[] };

const MAX_SIM_GPUS = 64;

/**
 * Parses `--gpus`: `auto`, `none`, or `sim:` followed by comma-separated `COUNTxSIZE` groups
 * (`sim:2x80GiB`, `sim:1x24GiB,1x80GiB`; the count may be left out: `sim:80GiB`).
 */
export function parseGpuMode(raw: string): GpuMode {
  const value = raw.trim();
  if (value === 'auto') return { kind: 'auto' };
  if (value === 'none') return { kind: 'none' };
  if (!value.startsWith('sim:')) {
    throw new NodeConfigError(`--gpus "${raw}" must be auto, none or sim:COUNTxSIZE (e.g. sim:2x80GiB)`);
  }
  const memoryBytes: number[] = [];
  for (const group of value.slice(4).split(',')) {
    const m = /^\s*(?:([0-9]{1,3})\s*x\s*)?([0-9.]+\s*[A-Za-z]*)\s*$/.exec(group);
    if (!m) throw new NodeConfigError(`--gpus: "${group}" must look like 2x80GiB`);
    const count = m[1] === undefined ? 1 : Number(m[1]);
    let bytes: number;
    try {
      bytes = parseBytes(m[2] ?? '');
    } catch {
      throw new NodeConfigError(`--gpus: "${m[2] ?? ''}" is not a size (e.g. 80GiB)`);
    }
    if (count < 1 || bytes < 1)
      throw new NodeConfigError(`--gpus: "${group}" needs a count and a size above 0`);
    for (let i = 0; i < count; i++) memoryBytes.push(bytes);
  }
  if (memoryBytes.length > MAX_SIM_GPUS)
    throw new NodeConfigError(`--gpus: at most ${MAX_SIM_GPUS} simulated GPUs`);
  return { kind: 'sim', memoryBytes };
}
