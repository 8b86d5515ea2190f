/** Typed client of the Nebula control API. */
export {
  createClient,
  newTraceparent,
  type ClientOptions,
  type Conditional,
  type NebulaClient,
} from './client.js';
export { ApiError, toApiError } from './errors.js';
export { readSse, type SseEvent } from '../core/sse.js';
export type * from './types.js';
