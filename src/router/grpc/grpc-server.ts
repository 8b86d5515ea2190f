import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type GrpcObject,
  type Metadata,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { admit } from '../admission.js';
import { prefixHashes, promptPrefixText } from '../balancers/prefix-hash.js';
import type { PickRequest } from '../balancers/types.js';
import type { RouterContext } from '../context.js';
import { routerErrors, RouterError } from '../errors.js';
import { requestIdFrom, traceFrom } from '../http/trace.js';
import { ProxyCall, type ProxySink } from '../proxy/forward.js';
import type { ModelRoute } from '../table/endpoint-table.js';
import {
  toOpenAIRequest,
  type PredictChunkMsg,
  type PredictRequestMsg,
  type PredictResponseMsg,
} from './mapping.js';
import { aiServiceProtoPath } from './proto-path.js';
import { grpcErrorOf, StreamSink, UnarySink } from './sinks.js';

/** Loader options shared with clients (tests): snake_case fields, numbers for int64, defaults filled in. */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The AIService definition from proto/ai_service.proto (dynamic loading, no generated code). */
export function loadAiService(): { service: ServiceDefinition; pkg: GrpcObject } {
  const def = loadSync(aiServiceProtoPath(), PROTO_LOADER_OPTIONS);
  const pkg = loadPackageDefinition(def);
  const svc = ((pkg['nebula'] as GrpcObject)['ai'] as GrpcObject)['v1'] as GrpcObject;
  const ctor = svc['AIService'] as unknown as { service: ServiceDefinition };
  return { service: ctor.service, pkg };
}

function metaString(md: Metadata, key: string): string | undefined {
  const v = md.get(key)[0];
  return typeof v === 'string' ? v : undefined;
}

interface Prepared {
  route: ModelRoute;
  requestId: string;
  call: (sink: ProxySink) => ProxyCall;
}

/** Admission, mapping and routing shared by both methods; a RouterError when the call cannot go on. */
function prepare(
  ctx: RouterContext,
  md: Metadata,
  msg: PredictRequestMsg,
  stream: boolean,
): Prepared | RouterError {
  const requestId = requestIdFrom(msg.request_id !== '' ? msg.request_id : metaString(md, 'x-request-id'));
  const denied = admit(ctx, metaString(md, 'authorization'));
  if (denied !== undefined) return denied;
  const mapped = toOpenAIRequest(msg, stream);
  if (mapped instanceof RouterError) return mapped;
  const route = ctx.table.lookup(msg.model);
  if (route === undefined) return routerErrors.modelNotFound(msg.model);
  const trace = traceFrom(metaString(md, 'traceparent'));
  const body = Buffer.from(JSON.stringify(mapped.body));
  const headers = [
    'content-type',
    'application/json',
    'x-request-id',
    requestId,
    'traceparent',
    trace.traceparent,
  ];
  let pick: PickRequest = {};
  if (route.policy === 'session-affinity') {
    pick = { sessionKey: msg.session_id !== '' ? msg.session_id : msg.user !== '' ? msg.user : undefined };
  } else if (route.policy === 'prefix-aware') {
    const o = ctx.prefixHash;
    pick = { prefixHashes: prefixHashes(promptPrefixText(mapped.body, o.blockChars * o.maxBlocks), o) };
  }
  return {
    route,
    requestId,
    call: (sink) =>
      new ProxyCall(
        ctx.forward,
        { route, path: mapped.path, body, model: msg.model, json: mapped.body, headers, pick },
        sink,
      ),
  };
}

/**
 * The gRPC face (seed 003's coordinator): Predict and StreamPredict mapped onto the engines' OpenAI API with
 * the same keys, routing and failover as HTTP. A cancelled call cancels the upstream request.
 */
export async function startGrpcServer(
  ctx: RouterContext,
  host: string,
  port: number,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const { service } = loadAiService();
  const server = new Server({ 'grpc.max_receive_message_length': 32 * 1024 * 1024 });
  server.addService(service, {
    Predict: (
      call: ServerUnaryCall<PredictRequestMsg, PredictResponseMsg>,
      callback: sendUnaryData<PredictResponseMsg>,
    ) => {
      const startedAt = performance.now();
      const p = prepare(ctx, call.metadata, call.request, false);
      if (p instanceof RouterError) {
        callback(grpcErrorOf(p));
        ctx.metrics.request('unknown', 'grpc_predict', p.status, 0);
        return;
      }
      const sink = new UnarySink(callback, {
        requestId: p.requestId,
        model: p.route.label,
        route: 'grpc_predict',
        startedAt,
        metrics: ctx.metrics,
        logger: ctx.logger,
      });
      const proxy = p.call(sink);
      sink.call = proxy;
      call.on('cancelled', () => proxy.abort(new Error('grpc call cancelled')));
      proxy.start();
    },
    StreamPredict: (call: ServerWritableStream<PredictRequestMsg, PredictChunkMsg>) => {
      const startedAt = performance.now();
      const p = prepare(ctx, call.metadata, call.request, true);
      if (p instanceof RouterError) {
        call.emit('error', grpcErrorOf(p));
        ctx.metrics.request('unknown', 'grpc_stream', p.status, 0);
        return;
      }
      const sink = new StreamSink(call, {
        requestId: p.requestId,
        model: p.route.label,
        route: 'grpc_stream',
        startedAt,
        metrics: ctx.metrics,
        logger: ctx.logger,
      });
      const proxy = p.call(sink);
      sink.call = proxy;
      call.on('cancelled', () => proxy.abort(new Error('grpc call cancelled')));
      proxy.start();
    },
  });
  const bound = await new Promise<number>((resolve, reject) => {
    const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(addr, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port: bound,
    stop: () =>
      new Promise<void>((resolve) => {
        // Give streams a moment to finish, then cut what is left.
        const t = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        t.unref();
        server.tryShutdown(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
}
