import { hash53 } from './hash.js';

export interface RerankResult {
  index: number;
  relevance_score: number;
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/**
 * Deterministic relevance in [0, 1]: mostly the share of the query's words found in the document, plus a
 * little hash-derived jitter so ties break the same way every time.
 */
export function relevance(query: string, document: string, queryWords: Set<string> = words(query)): number {
  const doc = words(document);
  let shared = 0;
  for (const w of queryWords) if (doc.has(w)) shared++;
  const overlap = queryWords.size === 0 ? 0 : shared / queryWords.size;
  const jitter = (hash53(document, hash53(query)) % 10_000) / 10_000;
  return 0.85 * overlap + 0.15 * jitter;
}

/** Scores every document and returns the best `topN` (all when undefined), best first. */
export function rerank(query: string, documents: readonly string[], topN?: number): RerankResult[] {
  const q = words(query);
  const scored = documents.map((d, index) => ({ index, relevance_score: relevance(query, d, q) }));
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  return topN === undefined ? scored : scored.slice(0, topN);
}
