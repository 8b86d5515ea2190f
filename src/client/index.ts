/** Typed client of the Nebula control API. */
export {
  buildQuery,
  createClient,
  newTraceparent,
  type CallOptions,
  type ClientOptions,
  type Conditional,
  type NebulaClient,
} from './client.js';
export type { CallInput, EndpointName, EndpointOf, ResponseOf } from './call.js';
export { ApiError, toApiError } from './errors.js';
export { readSse, type SseEvent } from '../core/sse.js';
export type * from './types.js';
