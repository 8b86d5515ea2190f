import { NebulaError } from '../core/errors.js';

/** The model's files could not be provided (missing local path, downloads unavailable, hub error). */
export class ModelFilesError extends NebulaError {
  constructor(
    message: string,
    code = 'MODEL_FILES_UNAVAILABLE',
    opts: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, code, opts);
  }
}

/** An engine process could not be started (binary missing, log file not writable, bad launch spec). */
export class EngineLaunchError extends NebulaError {
  constructor(message: string, cause?: unknown) {
    super(message, 'ENGINE_LAUNCH_FAILED', { retryable: true, cause });
  }
}

/** Bad node agent configuration (a flag or an environment variable). */
export class NodeConfigError extends NebulaError {
  constructor(message: string) {
    super(message, 'INVALID_NODE_CONFIG');
  }
}

/** A replica's engine is not installed on this node (or not usable: see the node's engine_errors). */
export class EngineUnavailableError extends NebulaError {
  constructor(message: string) {
    super(message, 'ENGINE_NOT_AVAILABLE', { retryable: true });
  }
}
