import type { ServerResponse } from 'node:http';
import type { TimerHandle } from '../core/clock.js';
import { checkModel, type RequestMeta, type SimContext } from './context.js';
import {
  chatChunk,
  chatResponse,
  completionChunk,
  completionResponse,
  SSE_DONE,
  usage,
  usageChunk,
  type StreamHead,
} from './format.js';
import { planOutput, type OutputPlan } from './generator.js';
import { hash53 } from './hash.js';
import { badRequest, OpenAiHttpError, sendJson } from './http.js';
import type { SuccessReason } from './metrics.js';
import { blockHashes, lookupPrefix, PrefixCache } from './prefix-cache.js';
import { SimScheduler } from './scheduler.js';
import { parsePrompt, type Kind } from './prompt.js';

type Phase = 'waiting' | 'prefill' | 'decode' | 'done';

/** A fully cached prompt still pays this share of the TTFT (the last block is always recomputed). */
const TTFT_FLOOR = 0.05;

/** One chat or completion request from admission to its last byte. */
class Generation {
  phase: Phase = 'waiting';
  timer: TimerHandle | null = null;
  hashes: number[] = [];
  admittedAt = 0;
  firstTokenAt = 0;
  /** Tokens written so far (streaming). */
  emitted = 0;
  queriedTokens = 0;
  hitTokens = 0;

  constructor(
    readonly kind: Kind,
    readonly res: ServerResponse,
    readonly meta: RequestMeta,
    readonly head: StreamHead,
    readonly stream: boolean,
    readonly includeUsage: boolean,
    readonly tokens: string[],
    readonly plan: OutputPlan,
    readonly blocks: number,
    /** Completion `echo: true`: the prompt goes in front of the output. */
    readonly echoPrefix: string,
  ) {}

  get promptTokens(): number {
    return this.tokens.length;
  }
}

const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/**
 * Chat and text completions: validation, admission through the scheduler, prefix-cache-aware prefill
 * time, then tokens every `itlMs`, streamed as SSE or answered at once. A closed connection cancels the
 * request and frees its slot and blocks.
 */
export class GenerationService {
  readonly scheduler: SimScheduler<Generation>;
  readonly prefixCache: PrefixCache;
  private readonly active = new Set<Generation>();

  constructor(private readonly ctx: SimContext) {
    const o = ctx.opts;
    this.scheduler = new SimScheduler<Generation>(o.maxNumSeqs, o.maxWaiting, o.kvBlocks);
    this.prefixCache = new PrefixCache(o.kvBlocks);
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Starts serving a request; bad input throws an OpenAiHttpError for the caller to answer. */
  handle(kind: Kind, res: ServerResponse, body: unknown, meta: RequestMeta): void {
    const { opts } = this.ctx;
    const { r, tokens, promptText, echoText, asked, echo } = parsePrompt(kind, body);
    const model = checkModel(this.ctx, r.model);
    if ((r.n ?? 1) !== 1) throw badRequest('the simulator supports only n=1', 'n');
    const stream = r.stream === true;
    if (r.stream_options != null && !stream) {
      throw badRequest('Stream options can only be defined when `stream=True`.', 'stream_options');
    }

    const promptLen = tokens.length;
    const maxLen = opts.maxModelLen;
    if (promptLen >= maxLen) {
      throw badRequest(
        `This model's maximum context length is ${maxLen} tokens. However, your request has ${promptLen} input tokens. Please reduce the length of the input.`,
      );
    }
    if (asked != null && promptLen + asked > maxLen) {
      throw badRequest(
        `'max_tokens' or 'max_completion_tokens' is too large: ${asked}. This model's maximum context length is ${maxLen} tokens and your request has ${promptLen} input tokens (${asked} > ${maxLen} - ${promptLen}).`,
        'max_tokens',
      );
    }

    const plan = planOutput({
      mode: opts.mode,
      echoText,
      seed: hash53(promptText, r.seed ?? 0),
      maxTokens: asked ?? Math.min(opts.maxTokensDefault, maxLen - promptLen),
      minTokens: r.min_tokens ?? 0,
      ignoreEos: r.ignore_eos === true,
      stop: r.stop == null ? undefined : typeof r.stop === 'string' ? [r.stop] : r.stop,
    });
    const head: StreamHead = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${meta.requestId}`,
      created: Math.floor(meta.arrival / 1000),
      model,
    };
    const g = new Generation(
      kind,
      res,
      meta,
      head,
      stream,
      r.stream_options?.include_usage === true,
      tokens,
      plan,
      this.scheduler.blocksFor(promptLen + plan.tokens.length, opts.blockSize),
      echo ? promptText : '',
    );
    const outcome = this.scheduler.submit(g);
    if (outcome === 'rejected') {
      throw new OpenAiHttpError(
        429,
        `The engine is overloaded: ${opts.maxWaiting} requests are already waiting. Try again later.`,
        'RateLimitError',
      );
    }
    this.active.add(g);
    res.on('close', () => {
      if (g.phase !== 'done') this.finish(g, 'abort');
    });
    if (outcome === 'running') this.begin(g);
  }

  /** KV blocks in use now over the total: each running request holds the blocks its tokens so far fill. */
  kvUsage(): number {
    const bs = this.ctx.opts.blockSize;
    const now = this.ctx.clock.now();
    let used = 0;
    for (const g of this.scheduler.running) {
      used += Math.min(g.blocks, Math.ceil((g.promptTokens + this.generatedSoFar(g, now)) / bs));
    }
    return used / this.ctx.opts.kvBlocks;
  }

  /** Shutdown: waiting requests get 503 at once; running ones are cut off (their clients see a reset). */
  abortAll(kind: 'waiting' | 'all'): void {
    for (const g of this.scheduler.drainWaiting()) {
      sendJson(
        g.res,
        503,
        JSON.stringify({
          error: {
            message: 'engine is shutting down',
            type: 'ServiceUnavailableError',
            param: null,
            code: 503,
          },
        }),
        g.meta.headers,
      );
      this.finish(g, 'abort');
    }
    if (kind === 'all') {
      for (const g of [...this.active]) {
        this.finish(g, 'abort');
        g.res.destroy();
      }
    }
  }

  private begin(g: Generation): void {
    if (g.phase !== 'waiting') return;
    const { opts, clock } = this.ctx;
    g.phase = 'prefill';
    g.admittedAt = clock.now();
    g.hashes = blockHashes(g.tokens, opts.blockSize);
    const look = lookupPrefix(this.prefixCache, g.hashes, g.promptTokens, opts.blockSize);
    g.queriedTokens = look.queriedTokens;
    g.hitTokens = look.hitTokens;
    const ttft = opts.ttftMs * Math.max(look.uncachedFraction, TTFT_FLOOR);
    if (ttft <= 0) this.prefillDone(g);
    else g.timer = clock.setTimeout(() => this.prefillDone(g), ttft);
  }

  private prefillDone(g: Generation): void {
    g.timer = null;
    if (g.phase !== 'prefill') return;
    const { opts, clock, metrics } = this.ctx;
    const now = clock.now();
    g.phase = 'decode';
    g.firstTokenAt = now;
    this.prefixCache.insert(g.hashes);
    metrics.prefill(
      g.promptTokens,
      g.queriedTokens,
      g.hitTokens,
      (now - g.meta.arrival) / 1000,
      (g.admittedAt - g.meta.arrival) / 1000,
    );
    const n = g.plan.tokens.length;
    if (!g.stream) {
      const rest = opts.itlMs * Math.max(0, n - 1);
      if (rest <= 0) this.respond(g);
      else g.timer = clock.setTimeout(() => this.respond(g), rest);
      return;
    }
    if (opts.itlMs <= 0 || n <= 1) {
      let body = this.opening(g);
      if (n === 0) body += this.tokenChunk(g, -1);
      for (let i = 0; i < n; i++) body += this.tokenChunk(g, i);
      body += this.closing(g);
      g.emitted = n;
      g.res.writeHead(200, { ...SSE_HEADERS, ...g.meta.headers, 'content-length': Buffer.byteLength(body) });
      g.res.end(body);
      this.finish(g, g.plan.finishReason);
      return;
    }
    g.res.writeHead(200, { ...SSE_HEADERS, ...g.meta.headers });
    g.res.write(this.opening(g) + this.tokenChunk(g, 0));
    g.emitted = 1;
    g.timer = clock.setTimeout(() => this.tick(g), opts.itlMs);
  }

  private tick(g: Generation): void {
    g.timer = null;
    if (g.phase !== 'decode') return;
    const i = g.emitted++;
    if (g.emitted < g.plan.tokens.length) {
      g.res.write(this.tokenChunk(g, i));
      g.timer = this.ctx.clock.setTimeout(() => this.tick(g), this.ctx.opts.itlMs);
      return;
    }
    g.res.end(this.tokenChunk(g, i) + this.closing(g));
    this.finish(g, g.plan.finishReason);
  }

  private respond(g: Generation): void {
    g.timer = null;
    if (g.phase !== 'decode') return;
    const text = g.echoPrefix + g.plan.tokens.join('');
    const u = usage(g.promptTokens, g.plan.tokens.length);
    const body =
      g.kind === 'chat'
        ? chatResponse(g.head, text, g.plan.finishReason, u)
        : completionResponse(g.head, text, g.plan.finishReason, u);
    sendJson(g.res, 200, body, g.meta.headers);
    this.finish(g, g.plan.finishReason);
  }

  /** Chat streams open with the assistant role; completion streams have no opening chunk. */
  private opening(g: Generation): string {
    return g.kind === 'chat' ? chatChunk(g.head, { role: 'assistant', content: '' }, null) : '';
  }

  /** Chunk for output token `i` (the last one carries finish_reason, as in vLLM); -1: an empty final chunk. */
  private tokenChunk(g: Generation, i: number): string {
    const n = g.plan.tokens.length;
    let text = i < 0 ? '' : (g.plan.tokens[i] ?? '');
    if (i === 0 && g.echoPrefix !== '') text = g.echoPrefix + text;
    const finish = i === n - 1 || i < 0 ? g.plan.finishReason : null;
    return g.kind === 'chat'
      ? chatChunk(g.head, { content: text }, finish)
      : completionChunk(g.head, text, finish);
  }

  private closing(g: Generation): string {
    if (!g.includeUsage) return SSE_DONE;
    return usageChunk(g.head, g.kind, usage(g.promptTokens, g.plan.tokens.length)) + SSE_DONE;
  }

  private generatedSoFar(g: Generation, now: number): number {
    if (g.firstTokenAt === 0) return 0;
    if (g.stream) return g.emitted;
    const n = g.plan.tokens.length;
    const itl = this.ctx.opts.itlMs;
    return itl <= 0 ? n : Math.min(n, 1 + Math.floor((now - g.firstTokenAt) / itl));
  }

  private finish(g: Generation, reason: SuccessReason): void {
    if (g.phase === 'done') return;
    const { clock, metrics } = this.ctx;
    const now = clock.now();
    const generated = reason === 'abort' ? this.generatedSoFar(g, now) : g.plan.tokens.length;
    g.phase = 'done';
    if (g.timer) clock.clearTimeout(g.timer);
    g.timer = null;
    this.active.delete(g);
    const started = this.scheduler.release(g);
    metrics.finished(reason, generated, (now - g.meta.arrival) / 1000);
    if (this.ctx.debug) {
      this.ctx.logger.debug(
        {
          request_id: g.meta.requestId,
          traceparent: g.meta.traceparent,
          path: g.meta.path,
          status: reason === 'abort' ? 499 : 200,
          prompt_tokens: g.promptTokens,
          cached_tokens: g.hitTokens,
          completion_tokens: generated,
          finish_reason: reason,
          queue_ms: g.admittedAt === 0 ? null : g.admittedAt - g.meta.arrival,
          ttft_ms: g.firstTokenAt === 0 ? null : g.firstTokenAt - g.meta.arrival,
          e2e_ms: now - g.meta.arrival,
        },
        'request',
      );
    }
    // Started on a later tick so that a chain of instant requests does not grow the stack.
    for (const s of started) queueMicrotask(() => this.begin(s));
  }
}
