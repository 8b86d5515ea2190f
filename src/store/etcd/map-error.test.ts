import { EtcdLeaseInvalidError, GRPCInvalidArgumentError, GRPCUnavailableError } from 'etcd3';
import { BrokenCircuitError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import { CompactedError, LeaseNotFoundError, StoreUnavailableError } from '../errors.js';
import { toStoreError } from './map-error.js';

describe('toStoreError', () => {
  it('classifies transport failures as retryable StoreUnavailableError', () => {
    for (const err of [
      new GRPCUnavailableError('down'),
      new BrokenCircuitError(),
      new Error('connect ECONNREFUSED'),
    ]) {
      const mapped = toStoreError(err, 'put');
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect(mapped).toMatchObject({ retryable: true });
    }
  });
  it("keeps etcd's answers", () => {
    expect(toStoreError(new EtcdLeaseInvalidError('x'), 'put', '42')).toEqual(new LeaseNotFoundError('42'));
    const compacted = toStoreError(
      new Error('etcdserver: mvcc: required revision has been compacted'),
      'compact',
    );
    expect(compacted).toBeInstanceOf(CompactedError);
    expect(toStoreError(new GRPCInvalidArgumentError('bad'), 'txn')).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(toStoreError(new Error('weird'), 'get')).toMatchObject({ code: 'STORE_ERROR', retryable: false });
  });
});
