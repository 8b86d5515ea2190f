import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Binds `server` to `host:port` (port 0 picks a free one) and resolves with the bound port; rejects with
 * the bind error (EADDRINUSE, EACCES) instead of leaving it to the server's `error` event. `backlog` sets
 * the accept queue when a listener expects many connections at once.
 */
export function listen(server: Server, host: string, port: number, backlog?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
