/**
 * The router's client for its engines, below both the table (which owns one pool per origin) and the proxy
 * (which sends requests on them): keep-alive HTTP/1.1 connections, the response parser, and what a failure
 * before any response means for retries and ejection.
 */
export {
  UpstreamPool,
  UpstreamError,
  type UpstreamController,
  type UpstreamHandler,
  type UpstreamPoolOptions,
  type UpstreamRequest,
} from './upstream-pool.js';
export {
  ResponseParser,
  UpstreamProtocolError,
  keepAliveHintS,
  type ResponseEvents,
  type UpstreamHeaders,
} from './response-parser.js';
export { classifyUpstreamError } from './classify.js';
