/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  /** `# TYPE` declarations: family name -> counter | gauge | histogram | summary | untyped. */
  types: Map<string, string>;
}

function parseValue(raw: string): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  const n = Number(raw);
  return Number.isNaN(n) ? NaN : n;
}

function parseLabels(s: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < s.length) {
    while (s[i] === ' ' || s[i] === ',') i++;
    if (i >= s.length) break;
    const eq = s.indexOf('=', i);
    if (eq < 0 || s[eq + 1] !== '"') return undefined;
    const name = s.slice(i, eq).trim();
    let j = eq + 2;
    let value = '';
    while (j < s.length && s[j] !== '"') {
      if (s[j] === '\\' && j + 1 < s.length) {
        const n = s[j + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        j += 2;
      } else {
        value += s[j];
        j++;
      }
    }
    if (j >= s.length) return undefined;
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

/** Parses Prometheus text format (0.0.4). Malformed lines are skipped, never thrown on. Pure. */
export function parsePrometheusText(text: string): ParsedMetrics {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m?.[1] && m[2]) types.set(m[1], m[2]);
      continue;
    }
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    if (brace >= 0 && (space < 0 || brace < space)) {
      const close = line.lastIndexOf('}');
      if (close < brace) continue;
      name = line.slice(0, brace);
      const parsed = parseLabels(line.slice(brace + 1, close));
      if (!parsed) continue;
      labels = parsed;
      rest = line.slice(close + 1).trim();
    } else {
      if (space < 0) continue;
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const valueRaw = rest.split(/\s+/)[0];
    if (!valueRaw || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) continue;
    samples.push({ name, labels, value: parseValue(valueRaw) });
  }
  return { samples, types };
}

/**
 * `histogram_quantile` over cumulative buckets `[le, count]` (Prometheus' linear interpolation within
 * the bucket; the +Inf bucket answers with the highest finite bound). Null without observations. Pure.
 */
export function histogramQuantile(
  q: number,
  buckets: readonly { le: number; count: number }[],
): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const last = sorted[sorted.length - 1];
  if (!last || last.count <= 0) return null;
  const rank = q * last.count;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le === Infinity ? prevLe : b.le;
    prevCount = b.count;
  }
  return prevLe;
}
