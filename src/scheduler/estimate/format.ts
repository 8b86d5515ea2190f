import { GIB, MIB } from '../../core/domain/common.js';

/** "40 GiB", "17.9 GiB", "512 MiB": sizes for reasons and events (binary units, one decimal at most). */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${trim(bytes / GIB)} GiB`;
  return `${trim(bytes / MIB)} MiB`;
}

function trim(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** "gpu=a100,zone=b": a label selector as operators write it. */
export function formatSelector(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
