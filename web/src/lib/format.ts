/** Display formatting shared by every page. Pure functions (tested in format.test.ts). */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 -> "1.5 KiB"; null/undefined -> "—". */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${Math.max(0, Math.round(n))} B`;
  let v = n;
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${UNITS[i]}`;
}

/** 1234567 -> "1.2M"; null -> "—". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')}B`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(1).replace(/\.0$/, '')}M`;
  if (abs >= 1e3) return `${(n / 1e3).toFixed(1).replace(/\.0$/, '')}k`;
  return String(Math.round(n));
}

/** Part of a whole as a percentage in [0, 100] (0 when the whole is 0). */
export function percent(part: number, whole: number): number {
  if (!whole || whole <= 0 || !Number.isFinite(part)) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}

/** "5 s ago", "3 min ago", "2 h ago", "4 d ago"; future times read "in 3 min". */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const diff = Math.round((now - t) / 1000);
  const abs = Math.abs(diff);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.floor(abs / 60)} min`
        : abs < 86400
          ? `${Math.floor(abs / 3600)} h`
          : `${Math.floor(abs / 86400)} d`;
  if (abs < 5) return 'just now';
  // Past a month a date reads better than "412 d ago".
  if (abs >= 30 * 86400) return formatDateTime(iso).slice(0, 10);
  return diff >= 0 ? `${text} ago` : `in ${text}`;
}

/** Local date and time, "2025-03-04 14:05:09". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Seconds as "850 ms", "1.24 s"; null -> "—". */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  return `${s.toFixed(2)} s`;
}

/** Bytes per second as "12.5 MiB/s". */
export function formatSpeed(bps: number | null | undefined): string {
  if (!bps) return '—';
  return `${formatBytes(bps)}/s`;
}

/** A duration in seconds as "1 h 4 min", "3 min 20 s", "12 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A model uid suggestion from a hub id: "Qwen/Qwen2.5-0.5B-Instruct" -> "qwen2-5-0-5b-instruct". */
export function suggestModelUid(modelId: string): string {
  const name = modelId.split('/').pop() ?? modelId;
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return /^[a-z]/.test(slug) ? slug : `m-${slug}`.slice(0, 63);
}

/** The ModelUid rule of the server (DNS label): lowercase letters, digits and "-", 1-63, starting with a letter. */
export const MODEL_UID_PATTERN = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
