import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { InvalidArgumentError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../types.js';
import { KeyCodec } from './codec.js';
import { EtcdStore } from './etcd-store.js';

export { EtcdStore } from './etcd-store.js';
export { KeyCodec, rangeEnd } from './codec.js';
export { toStoreError } from './map-error.js';

export interface EtcdStoreOptions {
  /** Client URLs, e.g. ["http://10.0.0.1:2379"]. */
  endpoints: string[];
  /** Prefix for every key (tests give each case its own; deployments may share one etcd). */
  namespace?: string;
  logger?: Logger;
  /** Deadline of each unary call (ms); default 5000. */
  callTimeoutMs?: number;
  /**
   * Interval of gRPC keepalive pings while a watch is open (ms; default 10000, at least 5000, etcd's
   * minimum). A connection that stops answering is declared dead after this plus min(5 s, call timeout).
   */
  keepaliveMs?: number;
}

/**
 * Connects to etcd and checks that it answers (so a wrong address fails at start, not on first use).
 * Failures surface as StoreUnavailableError; the client itself neither retries nor trips a breaker, so a
 * restarted etcd is usable on the next call.
 */
export async function openEtcdStore(opts: EtcdStoreOptions): Promise<Store> {
  if (!Array.isArray(opts.endpoints) || opts.endpoints.length === 0) {
    throw new InvalidArgumentError('etcd needs at least one endpoint');
  }
  for (const e of opts.endpoints) {
    if (!/^(https?:\/\/)?[A-Za-z0-9.\-[\]:]+:[0-9]+\/?$/.test(e))
      throw new InvalidArgumentError(`bad etcd endpoint: ${e}`);
  }
  const timeout = opts.callTimeoutMs ?? 5000;
  const client = new Etcd3({
    hosts: opts.endpoints,
    dialTimeout: timeout,
    // Callers (the LeaseKeeper, the Informer, controllers) decide about retries; a breaker would keep
    // failing for seconds after etcd is back.
    faultHandling: { global: noop, host: () => noop },
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    grpcOptions: {
      // Notice a dead connection (cable cut, frozen proxy) instead of waiting forever on a watch. etcd
      // refuses pings more often than every 5 s.
      // Pings go out only while calls (watches) are open: etcd counts pings on an idle connection as
      // abuse and closes it.
      'grpc.keepalive_time_ms': Math.max(5_000, opts.keepaliveMs ?? 10_000),
      'grpc.keepalive_timeout_ms': Math.min(5_000, timeout),
      // gRPC's default 4 MiB answer limit would fail a whole-store read (backup: one Range at one
      // revision, src/store/backup.ts) once audit and events grow; etcd itself sends up to 2 GiB.
      'grpc.max_receive_message_length': 512 * 1024 * 1024,
    },
  });
  const store = new EtcdStore(client, new KeyCodec(opts.namespace ?? ''), opts.logger);
  try {
    await store.revision();
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
