import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { RouterError } from '../errors.js';
import {
  errorMessageOf,
  grpcCodeFor,
  toOpenAIRequest,
  toPredictChunk,
  toPredictResponse,
  type PredictRequestMsg,
} from './mapping.js';
import { aiServiceProtoPath } from './proto-path.js';
import { loadAiService } from './grpc-server.js';

const base: PredictRequestMsg = {
  model: 'm',
  messages: [],
  prompt: '',
  stop: [],
  request_id: '',
  session_id: '',
  user: '',
};

describe('toOpenAIRequest', () => {
  it('maps messages to a chat completion and a prompt to a completion', () => {
    const chat = toOpenAIRequest(
      {
        ...base,
        messages: [{ role: 'user', content: 'hi', name: '' }],
        max_tokens: 5,
        temperature: 0.5,
        stop: ['x'],
        user: 'u',
      },
      true,
    );
    expect(chat).toEqual({
      path: '/v1/chat/completions',
      body: {
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 5,
        temperature: 0.5,
        stop: ['x'],
        user: 'u',
        stream_options: { include_usage: true },
      },
    });
    const plain = toOpenAIRequest(
      { ...base, prompt: 'p', seed: '7', stream_options: { include_usage: false } },
      true,
    );
    expect(plain).toMatchObject({
      path: '/v1/completions',
      body: { prompt: 'p', seed: 7, stream_options: { include_usage: false } },
    });
    expect(toOpenAIRequest({ ...base, prompt: 'p' }, false)).toEqual({
      path: '/v1/completions',
      body: { model: 'm', stream: false, prompt: 'p' },
    });
  });

  it('refuses what an engine cannot take', () => {
    for (const bad of [
      { ...base, model: '' },
      { ...base },
      { ...base, prompt: 'p', max_tokens: 0 },
      { ...base, messages: [{ role: 'robot', content: 'x', name: '' }] },
    ]) {
      const r = toOpenAIRequest(bad, false);
      expect(r).toBeInstanceOf(RouterError);
      expect((r as RouterError).status).toBe(400);
    }
  });
});

describe('response mapping', () => {
  it('maps chunks and responses of both APIs', () => {
    expect(
      toPredictChunk(
        { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: 'he' }, finish_reason: null }] },
        'r',
      ),
    ).toEqual({
      id: 'c',
      model: 'm',
      delta: 'he',
      finish_reason: '',
      usage: null,
      request_id: 'r',
      index: 0,
    });
    expect(toPredictChunk({ choices: [{ text: 'x', finish_reason: 'length' }] }, 'r')).toMatchObject({
      delta: 'x',
      finish_reason: 'length',
    });
    expect(
      toPredictChunk({ choices: [], usage: { prompt_tokens: 2, completion_tokens: 3 } }, 'r')?.usage,
    ).toEqual({
      prompt_tokens: 2,
      completion_tokens: 3,
      total_tokens: 5,
    });
    expect(toPredictChunk({ choices: [{ delta: { role: 'assistant' } }] }, 'r')).toBeUndefined();
    expect(toPredictChunk('x', 'r')).toBeUndefined();
    expect(
      toPredictResponse({ id: 'a', choices: [{ message: { content: 'full' }, finish_reason: 'stop' }] }, 'r'),
    ).toMatchObject({
      text: 'full',
      finish_reason: 'stop',
      usage: null,
    });
  });

  it('maps HTTP statuses and error bodies', () => {
    expect(grpcCodeFor(401)).toBe(status.UNAUTHENTICATED);
    expect(grpcCodeFor(404)).toBe(status.NOT_FOUND);
    expect(grpcCodeFor(429)).toBe(status.RESOURCE_EXHAUSTED);
    expect(grpcCodeFor(503)).toBe(status.UNAVAILABLE);
    expect(grpcCodeFor(500)).toBe(status.INTERNAL);
    expect(grpcCodeFor(400)).toBe(status.INVALID_ARGUMENT);
    expect(grpcCodeFor(499)).toBe(status.CANCELLED);
    for (const http of [413, 422]) expect(grpcCodeFor(http)).toBe(status.INVALID_ARGUMENT);
    for (const http of [408, 504]) expect(grpcCodeFor(http)).toBe(status.DEADLINE_EXCEEDED);
    expect(grpcCodeFor(403)).toBe(status.PERMISSION_DENIED);
    expect(grpcCodeFor(502)).toBe(status.UNAVAILABLE);
    expect(grpcCodeFor(418)).toBe(status.UNKNOWN);
    expect(errorMessageOf('{"error":{"message":"boom"}}', 500)).toBe('boom');
    expect(errorMessageOf('{"message":"vllm style"}', 400)).toBe('vllm style');
    expect(errorMessageOf('', 502)).toBe('upstream answered 502');
  });
});

describe('proto loading', () => {
  it('finds the proto from src and loads both methods', () => {
    expect(aiServiceProtoPath()).toMatch(/proto\/ai_service\.proto$/);
    const { service } = loadAiService();
    expect(Object.keys(service).sort()).toEqual(['Predict', 'StreamPredict']);
    expect(service['StreamPredict']?.responseStream).toBe(true);
    expect(() => aiServiceProtoPath('/')).toThrow(/not found/);
  });
});
