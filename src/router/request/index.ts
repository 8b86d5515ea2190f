/**
 * One preparation for every face (HTTP and gRPC): admission (key and rate limit), request id and trace
 * context, route lookup and what the balancer picks by.
 */
export { admit } from './admission.js';
export { requestIdFrom, traceFrom, type TraceContext } from './trace.js';
export { prepareProxy, type PreparedRequest, type RequestFields, type RequestMeta } from './prepare.js';
