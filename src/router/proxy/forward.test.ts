import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import { RouterMetrics } from '../metrics.js';
import { ModelRoute } from '../table/endpoint-table.js';
import type { OriginPools } from '../table/pool-set.js';
import { Replica } from '../table/replica.js';
import {
  UpstreamError,
  type UpstreamController,
  type UpstreamHandler,
  type UpstreamHeaders,
  type UpstreamPool,
} from '../upstream/index.js';
import { ProxyCall, type ProxyFlow, type ProxySink } from './forward.js';

const HEADERS: UpstreamHeaders = {
  'content-type': 'application/json',
  'content-length': undefined,
  'retry-after': undefined,
  'keep-alive': undefined,
};

/** One request sent to a fake upstream: the test answers it through `handler`. */
interface Sent {
  handler: UpstreamHandler;
  controller: UpstreamController & { log: string[] };
}

/** An upstream that records requests; abort() fails the request at once, as the real pool does. */
function fakeUpstream(sent: Sent[]): UpstreamPool {
  return {
    request(_req: unknown, handler: UpstreamHandler) {
      let done = false;
      const log: string[] = [];
      const controller = {
        log,
        pause: () => log.push('pause'),
        resume: () => log.push('resume'),
        abort: (reason: Error) => {
          log.push(`abort ${reason.message}`);
          if (done) return;
          done = true;
          handler.onError(reason);
        },
      };
      sent.push({ handler, controller });
      return controller;
    },
  } as unknown as UpstreamPool;
}

/** A sink that records what the call tells it. */
class RecordingSink implements ProxySink {
  readonly events: string[] = [];
  flow: ProxyFlow | undefined;
  accept = true;
  head(status: number, _h: UpstreamHeaders, flow: ProxyFlow): void {
    this.flow = flow;
    this.events.push(`head ${status}`);
  }
  data(chunk: Buffer): boolean {
    this.events.push(`data ${chunk.toString()}`);
    return this.accept;
  }
  end(): void {
    this.events.push('end');
  }
  fail(err: Error, started: boolean): void {
    this.events.push(`fail ${started} ${err instanceof RouterError ? err.status : err.message}`);
  }
  cancelled(): void {
    this.events.push('cancelled');
  }
}

function setup(replicaCount = 2, maxRetries = 1) {
  const sent: Sent[] = [];
  const route = new ModelRoute('m', 'm', 'round-robin', false, 0, undefined);
  const replicas = Array.from(
    { length: replicaCount },
    (_, i) =>
      new Replica(
        `r${i}`,
        'm',
        { origin: `http://r${i}`, basePath: '' },
        { upstream: fakeUpstream(sent) } as unknown as OriginPools,
        false,
      ),
  );
  route.replicas = replicas;
  const sink = new RecordingSink();
  const call = new ProxyCall(
    { maxRetries, ejectMs: 1000, retryAfterS: 1, metrics: new RouterMetrics(new Registry()), now: () => 0 },
    {
      route,
      path: '/v1/chat/completions',
      body: Buffer.from('{}'),
      model: 'm',
      json: {},
      headers: [],
      pick: {},
    },
    sink,
  );
  return { sent, replicas, sink, call };
}

describe('ProxyCall and its sink', () => {
  it('retries a 503 on another replica, then passes the answer and its flow control to the sink', () => {
    const { sent, replicas, sink, call } = setup();
    call.start();
    expect(replicas.map((r) => r.outstanding)).toEqual([1, 0]);
    const first = sent[0] as Sent;
    first.handler.onHead(first.controller, 503, HEADERS);
    expect(first.controller.log).toEqual(['abort upstream answered 503']);
    expect(replicas.map((r) => r.outstanding)).toEqual([0, 1]);
    const second = sent[1] as Sent;
    second.handler.onHead(second.controller, 200, HEADERS);
    expect(sink.flow).toBe(call);
    sink.accept = false;
    second.handler.onData(second.controller, Buffer.from('a'));
    expect(second.controller.log).toEqual(['pause']);
    sink.flow?.resume();
    expect(second.controller.log).toEqual(['pause', 'resume']);
    second.handler.onEnd();
    expect(sink.events).toEqual(['head 200', 'data a', 'end']);
    expect(replicas.map((r) => r.outstanding)).toEqual([0, 0]);
  });

  it('ejects a replica that refused the connection and answers 502 when every try failed', () => {
    const { sent, replicas, sink, call } = setup();
    call.start();
    const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    (sent[0] as Sent).handler.onError(refused);
    expect(replicas[0]?.ejectedUntil).toBe(1000);
    (sent[1] as Sent).handler.onError(new UpstreamError('UPSTREAM_CLOSED', 'closed'));
    expect(sink.events).toEqual(['fail false 502']);
    expect(replicas.map((r) => r.outstanding)).toEqual([0, 0]);
  });

  it('tells the sink only that it was cancelled once the client went away, before or after the head', () => {
    const before = setup();
    before.call.start();
    before.call.abort(new Error('client closed the connection'));
    expect((before.sent[0] as Sent).controller.log).toEqual(['abort client closed the connection']);
    expect(before.sink.events).toEqual(['cancelled']);
    expect(before.sent).toHaveLength(1);

    const after = setup();
    after.call.start();
    const s = after.sent[0] as Sent;
    s.handler.onHead(s.controller, 200, HEADERS);
    after.call.abort(new Error('gone'));
    expect(after.sink.events).toEqual(['head 200', 'cancelled']);
    expect(after.replicas.map((r) => r.outstanding)).toEqual([0, 0]);

    const early = setup();
    early.call.abort(new Error('gone'));
    early.call.start();
    expect(early.sent).toHaveLength(0);
    expect(early.sink.events).toEqual(['cancelled']);
  });
});
