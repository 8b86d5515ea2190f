/** Appends `v` to the list under `k`, creating the list on first use. */
export function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Maps each item's key to the item (the last of a key wins), in input order. */
export function indexBy<T>(items: Iterable<T>, keyOf: (t: T) => string): Map<string, T> {
  const m = new Map<string, T>();
  for (const t of items) m.set(keyOf(t), t);
  return m;
}

/** Groups the values of items by key, each group in input order. */
export function groupBy<T, V>(
  items: Iterable<T>,
  keyOf: (t: T) => string,
  valueOf: (t: T) => V,
): Map<string, V[]> {
  const m = new Map<string, V[]>();
  for (const t of items) pushTo(m, keyOf(t), valueOf(t));
  return m;
}
