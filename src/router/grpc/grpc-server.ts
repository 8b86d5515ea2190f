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
import type { RouterContext } from '../context.js';
import { RouterError } from '../errors.js';
import { ProxyCall } from '../proxy/forward.js';
import { admit, prepareProxy, requestIdFrom, type PreparedRequest } from '../request/index.js';
import {
  toOpenAIRequest,
  type PredictChunkMsg,
  type PredictRequestMsg,
  type PredictResponseMsg,
} from './mapping.js';
import { aiServiceProtoPath } from './proto-path.js';
import { grpcErrorOf, StreamSink, UnarySink, type SinkCommon } from './sinks.js';

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

/** Admission, mapping and the shared preparation (request/prepare.ts); a RouterError when the call cannot go on. */
function prepare(
  ctx: RouterContext,
  md: Metadata,
  msg: PredictRequestMsg,
  stream: boolean,
  face: string,
): PreparedRequest | RouterError {
  const requestId = requestIdFrom(msg.request_id !== '' ? msg.request_id : metaString(md, 'x-request-id'));
  const denied = admit(ctx, metaString(md, 'authorization'));
  if (denied !== undefined) return denied;
  const mapped = toOpenAIRequest(msg, stream);
  if (mapped instanceof RouterError) return mapped;
  return prepareProxy(
    ctx,
    face,
    mapped.path,
    requestId,
    {
      traceparent: metaString(md, 'traceparent'),
      tracestate: metaString(md, 'tracestate'),
      sessionId: msg.session_id,
    },
    { model: msg.model, json: mapped.body, user: msg.user },
    Buffer.from(JSON.stringify(mapped.body)),
  );
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
  /** Both RPCs: prepare, refuse with a gRPC status, or proxy into the RPC's sink (a cancel aborts it). */
  const serve = (
    call:
      | ServerUnaryCall<PredictRequestMsg, PredictResponseMsg>
      | ServerWritableStream<PredictRequestMsg, PredictChunkMsg>,
    route: 'grpc_predict' | 'grpc_stream',
    fail: (err: ReturnType<typeof grpcErrorOf>) => void,
    sinkOf: (c: SinkCommon) => UnarySink | StreamSink,
  ): void => {
    const startedAt = performance.now();
    const p = prepare(ctx, call.metadata, call.request, route === 'grpc_stream', route);
    if (p instanceof RouterError) {
      fail(grpcErrorOf(p));
      ctx.metrics.request('unknown', route, p.status, 0);
      return;
    }
    const sink = sinkOf({
      requestId: p.requestId,
      model: p.route.label,
      route,
      startedAt,
      metrics: ctx.metrics,
      logger: ctx.logger,
      span: p.span,
    });
    const proxy = new ProxyCall(ctx.forward, p, sink);
    call.on('cancelled', () => proxy.abort(new Error('grpc call cancelled')));
    proxy.start();
  };
  server.addService(service, {
    Predict: (
      call: ServerUnaryCall<PredictRequestMsg, PredictResponseMsg>,
      callback: sendUnaryData<PredictResponseMsg>,
    ) =>
      serve(
        call,
        'grpc_predict',
        (err) => callback(err),
        (c) => new UnarySink(callback, c),
      ),
    StreamPredict: (call: ServerWritableStream<PredictRequestMsg, PredictChunkMsg>) =>
      serve(
        call,
        'grpc_stream',
        (err) => call.emit('error', err),
        (c) => new StreamSink(call, c),
      ),
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
