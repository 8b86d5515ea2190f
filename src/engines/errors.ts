import { NebulaError } from '../core/errors.js';

/**
 * A launch that cannot be built from its input (unknown engine, unusable model path, engine_config the
 * engine's contract refuses). Not retryable.
 */
export class EngineLaunchError extends NebulaError {
  constructor(
    message: string,
    code: 'UNKNOWN_ENGINE_TYPE' | 'INVALID_MODEL_PATH' | 'MODEL_PATH_REQUIRED' | 'ENGINE_CONFIG_REFUSED',
  ) {
    super(message, code);
  }
}
