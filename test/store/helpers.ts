import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Store } from '../../src/store/types.js';

/**
 * A Store whose next `watch` call waits until `open()` is called: lets a test make changes (and compact)
 * between an informer's list and its watch, i.e. put the watch behind compaction on purpose.
 */
export function gateNextWatch(store: Store): { store: Store; reached: Promise<void>; open: () => void } {
  let open!: () => void;
  let reachedResolve!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const reached = new Promise<void>((r) => (reachedResolve = r));
  let used = false;
  const wrapped: Store = Object.create(store) as Store;
  wrapped.watch = async (prefix, opts) => {
    if (!used) {
      used = true;
      reachedResolve();
      await gate;
    }
    return store.watch(prefix, opts);
  };
  for (const m of [
    'get',
    'list',
    'put',
    'delete',
    'deletePrefix',
    'txn',
    'grantLease',
    'keepAliveOnce',
    'revokeLease',
    'revision',
    'compact',
    'close',
  ] as const) {
    (wrapped as unknown as Record<string, unknown>)[m] = (store[m] as (...a: unknown[]) => unknown).bind(
      store,
    );
  }
  return { store: wrapped, reached, open };
}

/**
 * A TCP proxy in front of a server, for cutting connections: `cut()` destroys every open socket and
 * refuses new ones until `restore()`.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private pairs: [Socket, Socket][] = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
      this.pairs.push([client, upstream]);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('proxy has no port');
    this.port = addr.port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops forwarding without closing anything: the peers see a silent, hung connection. */
  freeze(): void {
    this.refusing = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.pairs = [];
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
