import { describe, expect, it } from 'vitest';
import type { StartSpanOptions, TraceSpan, Tracing } from '../../core/tracing.js';
import { noopTracing } from '../../core/tracing.js';
import { DEFAULT_PREFIX_HASH } from '../balancers/prefix-hash.js';
import type { RouterContext } from '../context.js';
import { RouterError } from '../errors.js';
import { ModelRoute } from '../table/endpoint-table.js';
import { prepareProxy, type PreparedRequest, type RequestMeta } from './prepare.js';

const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_PARENT = `00-${CLIENT_TRACE}-b7ad6b7169203331-01`;

function ctxWith(tracing: Tracing = noopTracing): RouterContext {
  const routes = new Map<string, ModelRoute>([
    ['rr', new ModelRoute('rr', 'rr', 'round-robin', false, 0, undefined)],
    ['sticky', new ModelRoute('sticky', 'sticky', 'session-affinity', false, 0, undefined)],
    ['prefix', new ModelRoute('prefix', 'prefix', 'prefix-aware', false, 0, undefined)],
  ]);
  return {
    table: { lookup: (m: string) => routes.get(m) },
    tracing,
    prefixHash: DEFAULT_PREFIX_HASH,
  } as unknown as RouterContext;
}

const meta = (m: Partial<RequestMeta> = {}): RequestMeta => ({
  traceparent: undefined,
  tracestate: undefined,
  sessionId: undefined,
  ...m,
});

function prepared(
  model: string,
  m: Partial<RequestMeta> = {},
  user?: string,
  ctx = ctxWith(),
  json: Record<string, unknown> = { model },
): PreparedRequest {
  const p = prepareProxy(
    ctx,
    'chat',
    '/v1/chat/completions',
    'req-1',
    meta(m),
    { model, json, user },
    Buffer.from('{}'),
  );
  if (p instanceof RouterError) throw p;
  return p;
}

describe('prepareProxy (shared by the HTTP and gRPC faces)', () => {
  it('answers 404 for a model no route serves', () => {
    const p = prepareProxy(
      ctxWith(),
      'chat',
      '/v1/chat/completions',
      'r',
      meta(),
      { model: 'nope', json: {}, user: undefined },
      Buffer.alloc(0),
    );
    expect(p).toBeInstanceOf(RouterError);
    expect((p as RouterError).status).toBe(404);
  });

  it('continues the client trace and passes a sane tracestate on', () => {
    const p = prepared('rr', { traceparent: CLIENT_PARENT, tracestate: 'vendor=1' });
    expect(p.traceId).toBe(CLIENT_TRACE);
    expect(p.headers.slice(0, 4)).toEqual(['content-type', 'application/json', 'x-request-id', 'req-1']);
    expect(p.headers[5]).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`));
    expect(p.headers.slice(6)).toEqual(['tracestate', 'vendor=1']);
    expect(prepared('rr', { tracestate: 'x'.repeat(513) }).headers).not.toContain('tracestate');
    // No client trace: a new one.
    expect(prepared('rr').traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(prepared('rr').traceId).not.toBe(CLIENT_TRACE);
  });

  it('gives each policy what it picks by', () => {
    expect(prepared('rr', { sessionId: 's' }, 'u').pick).toEqual({});
    expect(prepared('sticky', { sessionId: 's'.repeat(300) }, 'u').pick).toEqual({
      sessionKey: 's'.repeat(256),
    });
    expect(prepared('sticky', { sessionId: '' }, 'u').pick).toEqual({ sessionKey: 'u' });
    expect(prepared('sticky', {}, '').pick).toEqual({ sessionKey: undefined });
    const prompt = 'p'.repeat(DEFAULT_PREFIX_HASH.blockChars * 3);
    const hashes = prepared('prefix', {}, undefined, ctxWith(), {
      model: 'prefix',
      messages: [{ role: 'user', content: prompt }],
    }).pick.prefixHashes;
    expect(hashes?.length).toBeGreaterThan(0);
  });

  it('starts no span unless tracing is on; with it on, the span is the engine parent', () => {
    const off: Tracing = {
      ...noopTracing,
      startSpan: () => {
        throw new Error('no span may start while tracing is off');
      },
    };
    expect(prepared('rr', {}, undefined, ctxWith(off)).span).toBeUndefined();
    const started: { name: string; opts: StartSpanOptions | undefined }[] = [];
    const span: TraceSpan = {
      traceId: CLIENT_TRACE,
      spanId: '1111111111111111',
      traceparent: `00-${CLIENT_TRACE}-1111111111111111-01`,
      setAttributes: () => undefined,
      end: () => undefined,
    };
    const on: Tracing = {
      ...noopTracing,
      enabled: true,
      startSpan: (name, opts) => {
        started.push({ name, opts });
        return span;
      },
    };
    const p = prepared('rr', { traceparent: CLIENT_PARENT }, undefined, ctxWith(on));
    expect(p.span).toBe(span);
    expect(p.headers[5]).toBe(span.traceparent);
    expect(started).toEqual([
      {
        name: 'router chat',
        opts: expect.objectContaining({ traceparent: CLIENT_PARENT, kind: 'server' }) as StartSpanOptions,
      },
    ]);
  });
});
