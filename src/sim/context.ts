import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { SimMetrics } from './metrics.js';
import type { ResolvedSimOptions } from './options.js';
import { modelNotFound } from './http.js';

/** What a request needs to know about where it was received. */
export interface RequestMeta {
  /** X-Request-Id when the client sent a sane one, else generated. */
  requestId: string;
  /** W3C traceparent when valid, echoed in the request log line. */
  traceparent: string | undefined;
  path: string;
  /** Clock time the request arrived. */
  arrival: number;
  /** Headers every answer carries (x-request-id). */
  headers: Record<string, string>;
}

/** Everything the endpoint handlers share inside one simulator instance. */
export interface SimContext {
  readonly opts: ResolvedSimOptions;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Cached `logger.isLevelEnabled('debug')`: per-request log lines cost nothing when off. */
  readonly debug: boolean;
  readonly metrics: SimMetrics;
  readonly random: () => number;
}

/** The served name a request addresses; an absent `model` means the one served model, as in vLLM. */
export function checkModel(ctx: SimContext, model: string | null | undefined): string {
  if (model == null || model === '') return ctx.opts.servedModelName;
  if (model !== ctx.opts.servedModelName) throw modelNotFound(model);
  return model;
}
