import { endpoint } from './endpoint.js';
import { OpenAiBody } from './schemas/index.js';

const FORWARDED =
  'Forwarded to the router with the caller’s token; answers in OpenAI’s format (SSE when `stream`).';

/** The router's OpenAI API, same-origin for the console playground (the router authorizes inference). */
export const openai = {
  chat: endpoint({
    method: 'post',
    path: '/api/v2/openai/v1/chat/completions',
    minRole: 'viewer',
    action: 'inference.chat',
    resource: 'router',
    summary: 'Chat completion through the router (for the console playground)',
    description: FORWARDED,
    tags: ['openai'],
    body: OpenAiBody,
    produces: 'application/json',
  }),
  completions: endpoint({
    method: 'post',
    path: '/api/v2/openai/v1/completions',
    minRole: 'viewer',
    action: 'inference.completion',
    resource: 'router',
    summary: 'Text completion through the router',
    description: FORWARDED,
    tags: ['openai'],
    body: OpenAiBody,
    produces: 'application/json',
  }),
  embeddings: endpoint({
    method: 'post',
    path: '/api/v2/openai/v1/embeddings',
    minRole: 'viewer',
    action: 'inference.embedding',
    resource: 'router',
    summary: 'Embeddings through the router',
    description: FORWARDED,
    tags: ['openai'],
    body: OpenAiBody,
    produces: 'application/json',
  }),
  models: endpoint({
    method: 'get',
    path: '/api/v2/openai/v1/models',
    minRole: 'viewer',
    action: 'inference.models',
    resource: 'router',
    summary: 'Models the router serves (ready replicas), in OpenAI’s list format',
    tags: ['openai'],
    produces: 'application/json',
  }),
};
