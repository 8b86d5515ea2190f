import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../types.js';

/**
 * Key encoding for one namespace: every key the Store sees is stored in etcd as `namespace + key`, and
 * the namespace is stripped from what comes back. Ranges are computed on bytes, like etcd does.
 */
export class KeyCodec {
  readonly ns: Buffer;

  constructor(namespace = '') {
    this.ns = Buffer.from(namespace, 'utf8');
  }

  encode(key: string): Buffer {
    return Buffer.concat([this.ns, Buffer.from(key, 'utf8')]);
  }

  decode(key: Buffer): string {
    return key.subarray(this.ns.length).toString('utf8');
  }

  /** [start, end) of every key under `prefix` in this namespace. */
  prefixRange(prefix: string): { start: Buffer; end: Buffer } {
    const start = this.encode(prefix);
    return { start, end: rangeEnd(start) };
  }

  toKeyValue(kv: IKeyValue, keysOnly = false): KeyValue {
    const out: KeyValue = {
      key: this.decode(kv.key),
      value: keysOnly ? '' : kv.value.toString('utf8'),
      createRevision: Number(kv.create_revision),
      modRevision: Number(kv.mod_revision),
      version: Number(kv.version),
    };
    if (kv.lease && kv.lease !== '0') out.lease = kv.lease;
    return out;
  }
}

/**
 * The first key after every key starting with `start` (etcd's prefix range end): drop trailing 0xff
 * bytes and increment the last one; for an empty (or all-0xff) prefix, "\0" which etcd reads as "to the end".
 */
export function rangeEnd(start: Buffer): Buffer {
  const end = Buffer.from(start);
  for (let i = end.length - 1; i >= 0; i--) {
    const b = end[i] ?? 0xff;
    if (b < 0xff) {
      end[i] = b + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The smallest key strictly after `key` (for startAfter paging). */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
