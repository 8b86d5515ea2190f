import { isBrokenCircuitError } from 'cockatiel';
import {
  ClientClosedError,
  EtcdLeaseInvalidError,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCInvalidArgumentError,
  GRPCUnavailableError,
  isRecoverableError,
} from 'etcd3';
import { InvalidArgumentError, NebulaError } from '../../core/errors.js';
import { CompactedError, LeaseNotFoundError, StoreClosedError, StoreUnavailableError } from '../errors.js';

/** The compacted revision etcd names in its error text, when it does. */
function compactedRevision(message: string): number {
  const m = /compact(?:ed)? revision[^0-9]*([0-9]+)/i.exec(message);
  return m ? Number(m[1]) : 0;
}

/**
 * Translates what the etcd3 client throws into the Store's typed errors at the boundary: transport
 * failures become retryable StoreUnavailableError; etcd's own answers keep their meaning.
 */
export function toStoreError(err: unknown, what: string, leaseId?: string): Error {
  if (err instanceof NebulaError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof EtcdLeaseInvalidError || message.includes('requested lease not found')) {
    return new LeaseNotFoundError(leaseId ?? 'unknown');
  }
  if (message.includes('required revision has been compacted'))
    return new CompactedError(compactedRevision(message));
  if (err instanceof ClientClosedError) return new StoreClosedError();
  if (err instanceof GRPCInvalidArgumentError || message.includes('future revision')) {
    return new InvalidArgumentError(`etcd refused ${what}: ${message}`);
  }
  if (
    err instanceof GRPCUnavailableError ||
    err instanceof GRPCDeadlineExceededError ||
    err instanceof GRPCCancelledError ||
    err instanceof GRPCInternalError ||
    isBrokenCircuitError(err) ||
    (err instanceof Error && isRecoverableError(err)) ||
    /ECONNREFUSED|ECONNRESET|No connection established|Connection dropped/i.test(message)
  ) {
    return new StoreUnavailableError(`etcd unavailable during ${what}: ${message}`, err);
  }
  return new NebulaError(`etcd ${what} failed: ${message}`, 'STORE_ERROR', { cause: err });
}
