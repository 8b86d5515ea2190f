import { InvalidArgumentError } from '../../core/errors.js';
import type { TxnOp, TxnRequest } from '../types.js';

/** Rejects a key that is empty or not a string (etcd refuses empty keys too). */
export function checkKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
}

export function checkValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError('value must be a string');
}

/**
 * Validates one branch of a txn the way etcd does: a key may be put at most once per branch, and a put
 * may not also be deleted (by key or prefix) in the same branch (the outcome would depend on op order).
 * Deletes may overlap each other.
 */
export function checkTxnOps(ops: readonly TxnOp[]): void {
  const puts = new Set<string>();
  const deletedKeys = new Set<string>();
  const deletedPrefixes: string[] = [];
  for (const op of ops) {
    if (op.op === 'deletePrefix') {
      if (typeof op.prefix !== 'string') throw new InvalidArgumentError('deletePrefix needs a string prefix');
      deletedPrefixes.push(op.prefix);
      continue;
    }
    checkKey(op.key);
    if (op.op === 'put') {
      checkValue(op.value);
      if (puts.has(op.key)) throw new InvalidArgumentError(`duplicate key in txn: ${op.key}`);
      puts.add(op.key);
    } else if (op.op === 'delete') {
      deletedKeys.add(op.key);
    } else {
      throw new InvalidArgumentError(`unknown txn op ${String((op as { op: unknown }).op)}`);
    }
  }
  for (const k of puts) {
    if (deletedKeys.has(k) || deletedPrefixes.some((p) => k.startsWith(p))) {
      throw new InvalidArgumentError(`txn both puts and deletes ${k}`);
    }
  }
}

export function checkTxn(req: TxnRequest): void {
  if (!req || !Array.isArray(req.compare) || !Array.isArray(req.success)) {
    throw new InvalidArgumentError('txn needs compare and success arrays');
  }
  for (const c of req.compare) {
    checkKey(c.key, 'compare key');
    if ('modRevision' in c) {
      if (!Number.isInteger(c.modRevision) || c.modRevision < 0) {
        throw new InvalidArgumentError('compare modRevision must be an integer >= 0');
      }
    } else if (typeof (c as { value?: unknown }).value !== 'string') {
      throw new InvalidArgumentError('compare needs modRevision or value');
    }
  }
  checkTxnOps(req.success);
  if (req.failure) checkTxnOps(req.failure);
}
