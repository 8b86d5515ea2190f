import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import { inspectBody } from './inspect.js';
import { requestIdFrom, traceFrom } from '../request/trace.js';
import { parseUsage, UsageTail } from './usage-tail.js';

describe('inspectBody', () => {
  const ins = (s: string) => inspectBody(Buffer.from(s));

  it('reads model, stream and user', () => {
    expect(ins('{"model":"m","stream":true,"user":"u1","x":1}')).toMatchObject({
      model: 'm',
      stream: true,
      user: 'u1',
    });
    expect(ins('{"model":"m","stream":null}')).toMatchObject({ stream: false, user: undefined });
  });

  it.each([
    ['{bad', '400 invalid_json'],
    ['[1]', '400 invalid_request'],
    ['null', '400 invalid_request'],
    ['{}', '400 invalid_request'],
    ['{"model":""}', '400 invalid_request'],
    ['{"model":3}', '400 invalid_request'],
    [`{"model":"${'m'.repeat(300)}"}`, '400 invalid_request'],
    ['{"model":"m","stream":"yes"}', '400 invalid_request'],
  ])('refuses what cannot be routed: %s', (body, code) => {
    const r = ins(body);
    expect(r instanceof RouterError ? `${r.status} ${r.code}` : 'ok').toBe(code);
  });
});

describe('trace context', () => {
  it('keeps a sane request id and replaces others', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom('bad id with spaces')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(requestIdFrom(['a', 'b'])).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom('x'.repeat(200))).not.toBe('x'.repeat(200));
  });

  it('continues a valid traceparent with a new parent id, and starts one otherwise', () => {
    const t = traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00');
    expect(t.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(t.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(t.traceparent).not.toContain('00f067aa0ba902b7');
    for (const bad of [
      undefined,
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ]) {
      const n = traceFrom(bad);
      expect(n.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(n.traceparent.slice(3, 35)).toBe(n.traceId);
    }
    const ids = new Set(Array.from({ length: 2000 }, () => traceFrom(undefined).traceparent));
    expect(ids.size).toBe(2000);
  });
});

describe('usage', () => {
  it('parses the last usage object, ignoring null ones', () => {
    expect(parseUsage('{"usage":{"prompt_tokens":5,"total_tokens":9,"completion_tokens":4}}')).toEqual({
      prompt: 5,
      completion: 4,
    });
    expect(parseUsage('data: {"usage":{"prompt_tokens":1}}\n\ndata: {"usage": null}\n\n')).toBeUndefined();
    expect(parseUsage('no usage here')).toBeUndefined();
    expect(parseUsage('"usage": {"other": 1}')).toBeUndefined();
  });

  it('keeps only the tail of a long stream, without copying each chunk', () => {
    const tail = new UsageTail(64);
    for (let i = 0; i < 1000; i++)
      tail.push(Buffer.from(`data: {"choices":[{"delta":{"content":"w${i}"}}],"usage":null}\n\n`));
    tail.push(Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":1000}}\n\n'));
    tail.push(Buffer.from('data: [DONE]\n\n'));
    expect(tail.usage()).toEqual({ prompt: 7, completion: 1000 });
    expect(new UsageTail().usage()).toBeUndefined();
  });

  it('looks only at the last bytes when given a window', () => {
    const tail = new UsageTail();
    tail.push(Buffer.from('data: {"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}\n\n'));
    tail.push(Buffer.from(`data: {"choices":[{"delta":{"content":"${'x'.repeat(2000)}"}}]}\n\n`));
    expect(tail.usage()).toEqual({ prompt: 7, completion: 3 });
    expect(tail.usage(1024)).toBeUndefined();
    tail.push(
      Buffer.from(
        'data: {"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":4}}\n\ndata: [DONE]\n\n',
      ),
    );
    expect(tail.usage(1024)).toEqual({ prompt: 8, completion: 4 });
  });
});

describe('routingHeaders', () => {
  it('picks the proxy headers from rawHeaders, any case, first one winning', async () => {
    const { routingHeaders } = await import('./request-headers.js');
    const req = {
      rawHeaders: [
        'Host',
        'x',
        'AUTHORIZATION',
        'Bearer a',
        'authorization',
        'Bearer b',
        'X-Request-Id',
        'rid',
        'x-session-id',
        'sid',
        'TraceParent',
        'tp',
        'tracestate',
        'ts',
        'Content-Length',
        '12',
        'x-other',
        'o',
      ],
    } as unknown as import('node:http').IncomingMessage;
    expect(routingHeaders(req)).toEqual({
      authorization: 'Bearer a',
      requestId: 'rid',
      sessionId: 'sid',
      traceparent: 'tp',
      tracestate: 'ts',
      contentLength: '12',
    });
    const none = routingHeaders({
      rawHeaders: ['host', 'x'],
    } as unknown as import('node:http').IncomingMessage);
    expect(Object.values(none).every((v) => v === undefined)).toBe(true);
  });
});
