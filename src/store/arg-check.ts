import { InvalidArgumentError } from '../core/errors.js';
import type { ListOptions, TxnOp, TxnRequest, WatchOptions } from './types.js';

/*
 * Argument checks of the Store interface, shared by both implementations (embedded and etcd) so that
 * they refuse the same calls with the same InvalidArgumentError messages before touching their backend.
 */

/** etcd's largest lease TTL (its MaxLeaseTTL, seconds); the embedded store keeps the same bound. */
const MAX_LEASE_TTL_SECONDS = 9_000_000_000;

const isNonNegativeInteger = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** Rejects a key that is empty or not a string (etcd refuses empty keys too). */
export function checkKey(key: unknown, what = 'key'): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw new InvalidArgumentError(`${what} must be a non-empty string`);
}

export function checkValue(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new InvalidArgumentError('value must be a string');
}

/** Rejects a prefix that is not a string (the empty prefix is every key). */
export function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') throw new InvalidArgumentError('prefix must be a string');
}

/** A list's prefix and options: a limit, when given, is an integer >= 0 (0 means none, as in etcd). */
export function checkList(prefix: unknown, opts: ListOptions): asserts prefix is string {
  checkPrefix(prefix);
  if (opts.limit !== undefined && !isNonNegativeInteger(opts.limit)) {
    throw new InvalidArgumentError('limit must be an integer >= 0');
  }
}

/** A watch's prefix and options: a start revision, when given, is an integer >= 0. */
export function checkWatch(prefix: unknown, opts: WatchOptions): asserts prefix is string {
  checkPrefix(prefix);
  if (opts.fromRevision !== undefined && !isNonNegativeInteger(opts.fromRevision)) {
    throw new InvalidArgumentError('fromRevision must be an integer >= 0');
  }
}

/** The revision to compact to: an integer >= 0. */
export function checkCompactRevision(revision: unknown): asserts revision is number {
  if (!isNonNegativeInteger(revision)) throw new InvalidArgumentError('revision must be an integer >= 0');
}

/** A lease TTL: whole seconds from 1 up to etcd's maximum. */
export function checkLeaseTtl(ttlSeconds: unknown): asserts ttlSeconds is number {
  if (
    !Number.isInteger(ttlSeconds) ||
    (ttlSeconds as number) < 1 ||
    (ttlSeconds as number) > MAX_LEASE_TTL_SECONDS
  ) {
    throw new InvalidArgumentError('lease TTL must be a whole number of seconds >= 1');
  }
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
      if (!isNonNegativeInteger(c.modRevision)) {
        throw new InvalidArgumentError('compare modRevision must be an integer >= 0');
      }
    } else if (typeof (c as { value?: unknown }).value !== 'string') {
      throw new InvalidArgumentError('compare needs modRevision or value');
    }
  }
  checkTxnOps(req.success);
  if (req.failure) checkTxnOps(req.failure);
}
