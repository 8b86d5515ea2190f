import {
  credentials,
  Metadata,
  status,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAiService } from '../../src/router/index.js';
import { waitFor } from '../helpers/ports.js';
import { metricValue, startCluster, TOKEN, type Cluster } from './harness.js';

interface Chunk {
  delta: string;
  finish_reason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  request_id: string;
}
interface AiClient extends Client {
  Predict(
    req: object,
    md: Metadata,
    cb: (err: ServiceError | null, res?: Record<string, unknown>) => void,
  ): void;
  StreamPredict(req: object, md: Metadata): ClientReadableStream<Chunk>;
}

function authed(token = TOKEN): Metadata {
  const md = new Metadata();
  md.set('authorization', `Bearer ${token}`);
  return md;
}

describe('router: gRPC AIService', () => {
  let c: Cluster;
  let client: AiClient;
  beforeAll(async () => {
    c = await startCluster({ replicas: 2, sim: { itlMs: 5 } });
    const { pkg } = loadAiService();
    const Ctor = (
      pkg as unknown as {
        nebula: { ai: { v1: { AIService: new (addr: string, cred: unknown) => AiClient } } };
      }
    ).nebula.ai.v1.AIService;
    client = new Ctor(`127.0.0.1:${c.router.grpcPort}`, credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await c?.close();
  });

  const collect = (stream: ClientReadableStream<Chunk>) =>
    new Promise<{ chunks: Chunk[]; err?: ServiceError }>((resolve) => {
      const chunks: Chunk[] = [];
      stream.on('data', (ch: Chunk) => chunks.push(ch));
      stream.on('error', (err: ServiceError) => resolve({ chunks, err }));
      stream.on('end', () => resolve({ chunks }));
    });

  it('streams text deltas, the finish reason and usage', async () => {
    const { chunks, err } = await collect(
      client.StreamPredict(
        {
          model: 'demo',
          messages: [{ role: 'user', content: 'tell me' }],
          max_tokens: 6,
          request_id: 'grpc-1',
        },
        authed(),
      ),
    );
    expect(err).toBeUndefined();
    expect(chunks.filter((ch) => ch.delta !== '').length).toBeGreaterThanOrEqual(6);
    expect(chunks.some((ch) => ch.finish_reason === 'length')).toBe(true);
    expect(chunks[chunks.length - 1]?.usage?.completion_tokens).toBe(6);
    expect(chunks.every((ch) => ch.request_id === 'grpc-1')).toBe(true);
    expect(
      await metricValue(c.router, 'nebula_router_requests_total', { route: 'grpc_stream', status: '200' }),
    ).toBe(1);
  });

  it('answers Predict with the whole text (chat and plain prompt)', async () => {
    const call = (req: object) =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        client.Predict(req, authed(), (err, res) => (err ? reject(err) : resolve(res ?? {}))),
      );
    const chat = await call({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });
    expect(typeof chat['text']).toBe('string');
    expect((chat['text'] as string).length).toBeGreaterThan(0);
    expect(chat['usage']).toMatchObject({ completion_tokens: 3 });
    const plain = await call({ model: 'demo', prompt: 'once upon', max_tokens: 2 });
    expect(plain['finish_reason']).toBe('length');
  });

  it('maps refusals to gRPC status codes', async () => {
    const noKey = await collect(client.StreamPredict({ model: 'demo', prompt: 'x' }, new Metadata()));
    expect(noKey.err?.code).toBe(status.UNAUTHENTICATED);
    const unknown = await collect(client.StreamPredict({ model: 'nope', prompt: 'x' }, authed()));
    expect(unknown.err?.code).toBe(status.NOT_FOUND);
    const empty = await collect(client.StreamPredict({ model: 'demo' }, authed()));
    expect(empty.err?.code).toBe(status.INVALID_ARGUMENT);
  });

  it('cancels the upstream request when the call is cancelled', async () => {
    const stream = client.StreamPredict({ model: 'demo', prompt: 'long story', max_tokens: 2000 }, authed());
    stream.on('error', () => undefined);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    const running = () => c.sims.reduce((n, s) => n + s.snapshot().running, 0);
    expect(running()).toBe(1);
    stream.cancel();
    await waitFor(() => running() === 0, { timeoutMs: 3000, what: 'engine to see the cancel' });
  });
});
