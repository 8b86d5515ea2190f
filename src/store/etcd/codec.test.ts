import { describe, expect, it } from 'vitest';
import { keyAfter, KeyCodec, rangeEnd } from './codec.js';

const b = (...bytes: number[]) => Buffer.from(bytes);

describe('etcd key codec', () => {
  it('computes etcd prefix range ends on bytes', () => {
    expect(rangeEnd(Buffer.from('/a/'))).toEqual(Buffer.from('/a0'));
    expect(rangeEnd(b(0x61, 0xff))).toEqual(b(0x62));
    expect(rangeEnd(b(0xff, 0xff))).toEqual(b(0));
    expect(rangeEnd(b())).toEqual(b(0));
    expect(keyAfter(Buffer.from('k'))).toEqual(b(0x6b, 0));
  });
  it('adds and strips the namespace', () => {
    const c = new KeyCodec('/ns');
    expect(c.encode('/x')).toEqual(Buffer.from('/ns/x'));
    expect(c.decode(Buffer.from('/ns/x'))).toBe('/x');
    expect(c.prefixRange('')).toEqual({ start: Buffer.from('/ns'), end: Buffer.from('/nt') });
    expect(new KeyCodec().prefixRange('')).toEqual({ start: b(), end: b(0) });
  });
  it('maps etcd key-values, dropping lease 0 and values when keysOnly', () => {
    const c = new KeyCodec('/ns');
    const raw = {
      key: Buffer.from('/ns/k'),
      value: Buffer.from('v'),
      create_revision: '3',
      mod_revision: '5',
      version: '2',
      lease: '0',
    };
    expect(c.toKeyValue(raw)).toEqual({
      key: '/k',
      value: 'v',
      createRevision: 3,
      modRevision: 5,
      version: 2,
    });
    expect(c.toKeyValue({ ...raw, lease: '7587' }, true)).toEqual({
      key: '/k',
      value: '',
      createRevision: 3,
      modRevision: 5,
      version: 2,
      lease: '7587',
    });
  });
});
