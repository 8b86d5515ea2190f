/** Reads docs/metrics.md (the metrics catalogue) and Prometheus text output, for the drift checks. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const METRICS_DOC = new URL('../../docs/metrics.md', import.meta.url);
export const PROMTOOL = process.env['NEBULA_TEST_PROMTOOL'] ?? '/usr/bin/promtool';

export interface DocMetric {
  name: string;
  type: string;
  labels: string[];
  /** `scheduler`, `node`, `router`, `server`, `all` or `prometheus`. */
  role: string;
}

/** Every row of the catalogue's tables whose first cell is a backticked metric name. */
export function documentedMetrics(text = readFileSync(METRICS_DOC, 'utf8')): Map<string, DocMetric> {
  const out = new Map<string, DocMetric>();
  for (const line of text.split('\n')) {
    const m = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*(\w+)\s*\|([^|]*)\|\s*(\w+)\s*\|/.exec(line);
    if (!m?.[1] || !m[2] || m[3] === undefined || !m[4]) continue;
    if (out.has(m[1])) throw new Error(`docs/metrics.md lists ${m[1]} twice`);
    const labels = m[3]
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    out.set(m[1], { name: m[1], type: m[2], labels, role: m[4] });
  }
  return out;
}

/** `name -> type` from the `# TYPE` lines of a scrape. */
export function scrapedTypes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], m[2]);
  }
  return out;
}

/** Label names used by the samples of `name` (histogram series included, `le` and `role` excluded). */
export function scrapedLabels(text: string, name: string): Set<string> {
  const out = new Set<string>();
  const re = new RegExp(`^${name}(?:_bucket|_sum|_count)?\\{([^}]*)\\}`);
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m?.[1]) continue;
    for (const pair of m[1].match(/([a-zA-Z_][a-zA-Z0-9_]*)="/g) ?? []) {
      const label = pair.slice(0, -2);
      if (label !== 'le' && label !== 'role') out.add(label);
    }
  }
  return out;
}

/** Runs promtool with `args`, feeding `stdin`; resolves with its exit code and output. */
export function promtool(args: string[], stdin = ''): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
    child.stdin.end(stdin);
  });
}

/** The value of the sample `name` whose labels include `labels` (order-free), or undefined. */
export function sampleValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name || m[3] === undefined) continue;
    const have = new Map<string, string>();
    for (const p of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (p[1] !== undefined && p[2] !== undefined) have.set(p[1], p[2]);
    }
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}
