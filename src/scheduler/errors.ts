import { ConfigError } from '../core/errors.js';

/** Scheduler options that do not make sense (exit 2 from the CLI, nothing started). */
export class SchedulerConfigError extends ConfigError {
  constructor(message: string) {
    super(message, 'SCHEDULER_INVALID_CONFIG');
  }
}
