import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The caller's address: the socket's remote address, or the first X-Forwarded-For hop when the server is
 * told it sits behind a trusted proxy (otherwise that header is client-controlled and ignored).
 */
export function sourceIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd && /^[0-9a-fA-F:.]{2,45}$/.test(fwd)) return fwd;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // in-process requests (app.request) have no socket
    return 'unknown';
  }
}
