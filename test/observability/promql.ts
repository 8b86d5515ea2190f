/**
 * The metric names a PromQL expression reads (enough of PromQL for the dashboards and alert rules:
 * selectors, functions, aggregations with by/without, vector matching, ranges, Grafana variables).
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  let s = expr;
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""'); // string literals
  s = s.replace(/\{[^}]*\}/g, ' '); // label matchers
  s = s.replace(/\[[^\]]*\]/g, ' '); // ranges and subqueries
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  s = s.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, ' '); // Grafana variables
  const names = new Set<string>();
  const re = /([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    const word = m[1] ?? '';
    if (m[2] !== undefined) continue; // a function or aggregation
    if (KEYWORDS.has(word.toLowerCase())) continue;
    const before = s.slice(0, m.index);
    if (/[0-9.]$/.test(before) || /[0-9]e$/i.test(before)) continue; // 1e3, 5m
    names.add(word);
  }
  return [...names];
}

/** The documented base name a series name belongs to (histogram suffixes stripped when documented). */
export function baseName(name: string, documented: ReadonlySet<string>): string | undefined {
  if (documented.has(name)) return name;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  if (m?.[1] && documented.has(m[1])) return m[1];
  return undefined;
}
