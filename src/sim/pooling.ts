import { checkModel, type RequestMeta, type SimContext } from './context.js';
import { embedText, toBase64 } from './embeddings.js';
import { badRequest } from './http.js';
import { rerank } from './rerank.js';
import { describeIssue, EmbeddingRequest, RerankRequest } from './schemas.js';
import { tokenize } from './tokenizer.js';

/** Inputs as texts plus their token counts; token-id inputs count one token per id. */
function inputTexts(input: EmbeddingRequest['input']): { texts: string[]; tokens: number[] } {
  if (typeof input === 'string') return { texts: [input], tokens: [tokenize(input).length] };
  const first = input[0];
  if (typeof first === 'string') {
    const texts = input as string[];
    return { texts, tokens: texts.map((t) => tokenize(t).length) };
  }
  const lists = (typeof first === 'number' ? [input] : input) as number[][];
  return { texts: lists.map((ids) => ids.join(' ')), tokens: lists.map((ids) => ids.length) };
}

/**
 * POST /v1/embeddings: one deterministic unit vector per input, as floats or base64 float32 (the
 * `openai` SDK asks for base64 by default). Answers the JSON body as a string.
 */
export function embeddings(ctx: SimContext, body: unknown, meta: RequestMeta): string {
  const parsed = EmbeddingRequest.safeParse(body);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error));
  const r = parsed.data;
  const model = checkModel(ctx, r.model);
  const dims = r.dimensions ?? ctx.opts.embeddingDim;
  const { texts, tokens } = inputTexts(r.input);
  let total = 0;
  for (const n of tokens) {
    if (n > ctx.opts.maxModelLen) {
      throw badRequest(
        `This model's maximum context length is ${ctx.opts.maxModelLen} tokens. However, you requested ${n} tokens in the input for embedding generation. Please reduce the length of the input.`,
      );
    }
    total += n;
  }
  const base64 = r.encoding_format === 'base64';
  const data = texts.map((t, index) => {
    const v = embedText(t, dims);
    return { index, object: 'embedding', embedding: base64 ? toBase64(v) : Array.from(v) };
  });
  ctx.metrics.pooled(total);
  return JSON.stringify({
    id: `embd-${meta.requestId}`,
    object: 'list',
    created: Math.floor(meta.arrival / 1000),
    model,
    data,
    usage: { prompt_tokens: total, total_tokens: total, completion_tokens: 0, prompt_tokens_details: null },
  });
}

/** POST /v1/rerank, /rerank, /v2/rerank (Jina/Cohere shape, as vLLM serves it). */
export function rerankDocuments(ctx: SimContext, body: unknown, meta: RequestMeta): string {
  const parsed = RerankRequest.safeParse(body);
  if (!parsed.success) throw badRequest(describeIssue(parsed.error));
  const r = parsed.data;
  const model = checkModel(ctx, r.model);
  const docs = r.documents.map((d) => (typeof d === 'string' ? d : d.text));
  const topN = r.top_n != null && r.top_n > 0 ? r.top_n : undefined;
  const queryTokens = tokenize(r.query).length;
  let total = 0;
  for (const d of docs) total += queryTokens + tokenize(d).length;
  const withDocs = r.return_documents !== false;
  const results = rerank(r.query, docs, topN).map((s) =>
    withDocs
      ? { index: s.index, document: { text: docs[s.index] ?? '' }, relevance_score: s.relevance_score }
      : { index: s.index, relevance_score: s.relevance_score },
  );
  ctx.metrics.pooled(total);
  return JSON.stringify({ id: `rerank-${meta.requestId}`, model, usage: { total_tokens: total }, results });
}
