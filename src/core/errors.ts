/**
 * Error classes with stable codes. `retryable` marks transient failures (a store that is briefly away,
 * a hub answering 503) so boundaries can classify without string matching.
 */
export class NebulaError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, code: string, opts: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}

/** Input that does not satisfy the rules (maps to HTTP 400/422, CLI exit 2). */
export class InvalidArgumentError extends NebulaError {
  constructor(message: string, code = 'INVALID_ARGUMENT', details?: Record<string, unknown>) {
    super(message, code, details === undefined ? {} : { details });
  }
}

export class NotFoundError extends NebulaError {
  constructor(message: string, code = 'NOT_FOUND', details?: Record<string, unknown>) {
    super(message, code, details === undefined ? {} : { details });
  }
}

export class AlreadyExistsError extends NebulaError {
  constructor(message: string, code = 'ALREADY_EXISTS', details?: Record<string, unknown>) {
    super(message, code, details === undefined ? {} : { details });
  }
}

export class ConfigError extends NebulaError {
  constructor(message: string, code = 'INVALID_CONFIG') {
    super(message, code);
  }
}

/** True when the error says trying again later may succeed. */
export function isRetryable(err: unknown): boolean {
  return err instanceof NebulaError && err.retryable;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
