import type { OpenAPIHono } from '@hono/zod-openapi';
import { nebulaVersion } from '../../core/version.js';
import type { ServerEnv } from '../http/env.js';

/** Builds the OpenAPI 3 document from the registered routes' schemas (the same ones that validate). */
export function buildOpenApiDocument(app: OpenAPIHono<ServerEnv>): unknown {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A session token from POST /api/v2/auth/login, or an API key (nbk_...)',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'session_cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: 'nebula_session',
    description:
      'The web console: the HttpOnly cookie set by POST /api/v2/auth/login; writes also need the X-Nebula-CSRF ' +
      'header with the value of the nebula_csrf cookie.',
  });
  return app.getOpenAPIDocument({
    openapi: '3.0.3',
    info: {
      title: 'Nebula control API',
      version: nebulaVersion(),
      description:
        'Management API of Nebula: models (v2, declarative), templates, nodes, cache, catalog, events, audit, auth; ' +
        'v1 compatibility routes under /api/. Errors are `{"error":{"code","message","details"}}` with stable codes. ' +
        'Updates accept If-Match / resource_version and answer 409 CONFLICT when the object changed.',
    },
    security: [{ bearer: [] }, { session_cookie: [] }],
    tags: [
      { name: 'models', description: 'v2 models: spec + deployment, aggregated state' },
      { name: 'templates', description: 'Model templates (system and user)' },
      { name: 'nodes', description: 'Nodes, GPUs, cordon / drain' },
      { name: 'cache', description: 'Model cache, disk, alerts' },
      { name: 'engines', description: 'Inference engines each node can launch' },
      { name: 'catalog', description: 'Hugging Face / ModelScope search and import' },
      { name: 'events', description: 'Model lifecycle events' },
      { name: 'audit', description: 'Audit trail' },
      { name: 'auth', description: 'Login and identity' },
      { name: 'users', description: 'Users (admin)' },
      { name: 'api-keys', description: 'API keys' },
      { name: 'v1', description: 'v1 compatibility API (seed 000)' },
      { name: 'system', description: 'Health, metrics, this document' },
    ],
  });
}
