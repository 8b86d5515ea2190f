import { NebulaError } from '../core/errors.js';

/** A launch that cannot be built from its input (unknown engine, unusable model path). Not retryable. */
export class EngineLaunchError extends NebulaError {
  constructor(message: string, code: 'UNKNOWN_ENGINE_TYPE' | 'INVALID_MODEL_PATH' | 'MODEL_PATH_REQUIRED') {
    super(message, code);
  }
}
