import { endpoint } from './endpoint.js';
import { Healthz } from './schemas/index.js';

/** Process endpoints and the API description: public, so probes and scrapers need no token. */
export const system = {
  healthz: endpoint({
    method: 'get',
    path: '/healthz',
    minRole: 'public',
    action: 'system.healthz',
    resource: 'server',
    summary:
      'Liveness and store health (503 when the store does not answer within 2 s or reports a fault of its file)',
    tags: ['system'],
    response: Healthz,
  }),
  metrics: endpoint({
    method: 'get',
    path: '/metrics',
    minRole: 'public',
    action: 'system.metrics',
    resource: 'server',
    summary: 'Prometheus metrics of this server (nebula_server_*)',
    tags: ['system'],
    produces: 'text/plain; version=0.0.4',
  }),
  openapi: endpoint({
    method: 'get',
    path: '/api/openapi.json',
    minRole: 'public',
    action: 'system.openapi',
    resource: 'server',
    summary: 'This API as an OpenAPI 3 document, generated from the validation schemas',
    tags: ['system'],
    produces: 'application/json',
  }),
  docs: endpoint({
    method: 'get',
    path: '/api/docs',
    minRole: 'public',
    action: 'system.docs',
    resource: 'server',
    summary: 'Human-readable API reference (self-contained page rendering /api/openapi.json)',
    tags: ['system'],
    produces: 'text/html',
  }),
};
