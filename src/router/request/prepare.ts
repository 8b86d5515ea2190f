import type { TraceSpan } from '../../core/tracing.js';
import { prefixHashes, promptPrefixText } from '../balancers/prefix-hash.js';
import type { PickRequest } from '../balancers/types.js';
import type { RouterContext } from '../context.js';
import { routerErrors, type RouterError } from '../errors.js';
import type { ForwardRequest } from '../proxy/forward.js';
import type { ModelRoute } from '../table/endpoint-table.js';
import { traceFrom } from './trace.js';

/** The request metadata preparation reads (HTTP headers, or gRPC metadata and fields). */
export interface RequestMeta {
  traceparent: string | undefined;
  tracestate: string | undefined;
  /** The client's session key (`X-Session-Id`, gRPC `session_id`); empty means none. */
  sessionId: string | undefined;
}

/** The request fields preparation reads (HTTP's inspected body, or the gRPC call mapped to OpenAI). */
export interface RequestFields {
  /** The model as the client named it. */
  model: string;
  /** The OpenAI request body, parsed. */
  json: Record<string, unknown>;
  /** OpenAI's end-user id: the session key when the client gave no other; empty means none. */
  user: string | undefined;
}

/** A request ready for ProxyCall, with what the face needs to answer and log it. */
export interface PreparedRequest extends ForwardRequest {
  requestId: string;
  traceId: string;
  /** The router's span when tracing is on (continuing the client's trace); the face ends it. */
  span: TraceSpan | undefined;
}

/** The pick of policies that read nothing of the request (shared: balancers never change a pick). */
const NO_PICK: PickRequest = Object.freeze({});

/** `tracestate` is passed on only when it is of a sane size (W3C allows 512 characters). */
const MAX_TRACESTATE = 512;

/**
 * What the HTTP and gRPC faces do alike once a request is admitted (request/admission.ts) and read: find the
 * model's route, continue the trace (the router's span, when tracing is on, is the engine's parent), build
 * the upstream headers and what the route's balancer needs to pick. A RouterError (404) when no route
 * serves the model.
 *
 * On the proxy's hot path: it builds only what the request goes out with (the header list, the pick, and
 * the request itself, one object), and nothing for tracing unless tracing is on.
 */
export function prepareProxy(
  ctx: RouterContext,
  /** The face's route label ('chat', 'grpc_predict'): the span is named after it. */
  face: string,
  /** The OpenAI path the request goes to (after the target's base path). */
  path: string,
  requestId: string,
  meta: RequestMeta,
  fields: RequestFields,
  body: Buffer,
): PreparedRequest | RouterError {
  const route = ctx.table.lookup(fields.model);
  if (route === undefined) return routerErrors.modelNotFound(fields.model);
  const span = ctx.tracing.enabled
    ? ctx.tracing.startSpan(`router ${face}`, {
        traceparent: meta.traceparent,
        tracestate: meta.tracestate,
        kind: 'server',
        attributes: {
          'http.route': path,
          'gen_ai.request.model': route.label,
          'nebula.request_id': requestId,
        },
      })
    : undefined;
  const trace = span ?? traceFrom(meta.traceparent);
  const headers = [
    'content-type',
    'application/json',
    'x-request-id',
    requestId,
    'traceparent',
    trace.traceparent,
  ];
  const tracestate = meta.tracestate;
  if (tracestate !== undefined && tracestate.length <= MAX_TRACESTATE) headers.push('tracestate', tracestate);
  return {
    route,
    path,
    body,
    model: fields.model,
    json: fields.json,
    headers,
    pick: pickRequest(ctx, route, meta.sessionId, fields),
    requestId,
    traceId: trace.traceId,
    span,
  };
}

/** What the route's balancer reads: a session key for session affinity, prompt hashes for prefix-aware. */
function pickRequest(
  ctx: RouterContext,
  route: ModelRoute,
  sessionId: string | undefined,
  fields: RequestFields,
): PickRequest {
  switch (route.policy) {
    case 'session-affinity': {
      const user = fields.user;
      return {
        sessionKey:
          sessionId !== undefined && sessionId !== ''
            ? sessionId.slice(0, 256)
            : user !== undefined && user !== ''
              ? user.slice(0, 256)
              : undefined,
      };
    }
    case 'prefix-aware': {
      const o = ctx.prefixHash;
      return { prefixHashes: prefixHashes(promptPrefixText(fields.json, o.blockChars * o.maxBlocks), o) };
    }
    default:
      return NO_PICK;
  }
}
