/** gRPC face of the router (proto/ai_service.proto). */
export { startGrpcServer, loadAiService, PROTO_LOADER_OPTIONS } from './grpc-server.js';
export { aiServiceProtoPath } from './proto-path.js';
export {
  toOpenAIRequest,
  toPredictChunk,
  toPredictResponse,
  grpcCodeFor,
  type PredictRequestMsg,
} from './mapping.js';
