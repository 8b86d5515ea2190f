import { execFile } from 'node:child_process';
import type { Gpu } from '../../core/domain/index.js';

/** The query the agent runs; the parser below expects exactly these columns in this order. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu',
  '--format=csv,noheader,nounits',
];

const MIB = 1024 * 1024;

/** nvidia-smi prints `[N/A]` or `[Not Supported]` for values a GPU does not report. */
function optionalNumber(raw: string): number | undefined {
  const t = raw.trim();
  if (t === '' || t.startsWith('[')) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses the CSV of {@link NVIDIA_SMI_ARGS} (memory in MiB, utilisation in %, temperature in °C).
 * The name is everything between the first and the last five fields, so a name with a comma still
 * parses. Lines that do not fit are skipped and listed in `errors`.
 */
export function parseNvidiaSmiCsv(text: string): { gpus: Gpu[]; errors: string[] } {
  const gpus: Gpu[] = [];
  const errors: string[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 7) {
      errors.push(`expected 7 fields: ${line}`);
      continue;
    }
    const tail = fields.slice(-5);
    const [uuid, memTotal, memUsed, util, temp] = tail as [string, string, string, string, string];
    const index = optionalNumber(fields[0] ?? '');
    const name = fields.slice(1, -5).join(', ');
    const total = optionalNumber(memTotal);
    if (index === undefined || !Number.isInteger(index) || index < 0 || total === undefined) {
      errors.push(`unparsable GPU line: ${line}`);
      continue;
    }
    const used = optionalNumber(memUsed) ?? 0;
    const utilization = optionalNumber(util) ?? 0;
    const temperature = optionalNumber(temp);
    const gpu: Gpu = {
      index,
      name: name || `GPU ${index}`,
      memory_total_bytes: Math.round(total * MIB),
      memory_used_bytes: Math.round(Math.max(0, used) * MIB),
      utilization_percent: Math.min(100, Math.max(0, utilization)),
    };
    if (uuid && !uuid.startsWith('[')) gpu.uuid = uuid;
    if (temperature !== undefined) gpu.temperature_c = temperature;
    gpus.push(gpu);
  }
  gpus.sort((a, b) => a.index - b.index);
  return { gpus, errors };
}

export type NvidiaSmiResult = { found: false } | { found: true; gpus: Gpu[]; errors: string[] };

/**
 * Runs nvidia-smi. `found: false` when the binary is not installed (a machine without NVIDIA GPUs);
 * a failing nvidia-smi (driver trouble) rejects, so the caller can keep the last good reading.
 */
export function runNvidiaSmi(bin = 'nvidia-smi', timeoutMs = 10_000): Promise<NvidiaSmiResult> {
  return new Promise((resolve, reject) => {
    execFile(bin, NVIDIA_SMI_ARGS, { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ found: false });
        return reject(new Error(`nvidia-smi failed: ${(stderr || err.message).trim().slice(0, 500)}`));
      }
      resolve({ found: true, ...parseNvidiaSmiCsv(stdout) });
    });
  });
}
