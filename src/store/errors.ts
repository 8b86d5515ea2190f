import { NebulaError } from '../core/errors.js';

/** A compare (ifModRevision / ifAbsent / txn compare) did not hold: someone else wrote first. */
export class ConflictError extends NebulaError {
  readonly key: string;
  constructor(key: string, message = `conflicting write to ${key}`) {
    super(message, 'STORE_CONFLICT', { details: { key } });
    this.key = key;
  }
}

/** A watch asked for history that compaction removed. */
export class CompactedError extends NebulaError {
  readonly compactRevision: number;
  constructor(compactRevision: number) {
    super(`requested revision has been compacted (compacted up to ${compactRevision})`, 'STORE_COMPACTED', {
      details: { compactRevision },
    });
    this.compactRevision = compactRevision;
  }
}

/** The store cannot be reached right now; retry. */
export class StoreUnavailableError extends NebulaError {
  constructor(message: string, cause?: unknown) {
    super(message, 'STORE_UNAVAILABLE', { retryable: true, cause });
  }
}

export class LeaseNotFoundError extends NebulaError {
  readonly leaseId: string;
  constructor(leaseId: string) {
    super(`lease ${leaseId} not found (expired or revoked)`, 'LEASE_NOT_FOUND', { details: { leaseId } });
    this.leaseId = leaseId;
  }
}

export class StoreClosedError extends NebulaError {
  constructor() {
    super('store is closed', 'STORE_CLOSED');
  }
}

/**
 * The embedded store's file is damaged (SQLite quick_check failed, or SQLITE_CORRUPT / SQLITE_NOTADB),
 * or an expected store file is missing or empty. Refused at start with a one-line reason that names the
 * restore command; at runtime the store records it and health turns red.
 */
export class StoreCorruptError extends NebulaError {
  constructor(message: string, details?: Record<string, unknown>, cause?: unknown) {
    super(message, 'STORE_CORRUPT', { ...(details ? { details } : {}), cause });
  }
}

/** An I/O failure of the embedded store's file at runtime (SQLITE_IOERR*, SQLITE_FULL, ...). */
export class StoreIoError extends NebulaError {
  constructor(message: string, cause?: unknown) {
    super(message, 'STORE_IO_ERROR', { retryable: true, cause });
  }
}
