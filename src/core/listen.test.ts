import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listen } from './listen.js';

describe('listen', () => {
  const servers = [createServer(), createServer()];
  afterEach(() => {
    for (const s of servers) s.close();
  });

  it('resolves with the bound port and rejects a port in use with the bind error', async () => {
    const [a, b] = servers as [ReturnType<typeof createServer>, ReturnType<typeof createServer>];
    const port = await listen(a, '127.0.0.1', 0, 4096);
    expect(port).toBeGreaterThan(0);
    await expect(listen(b, '127.0.0.1', port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(b.listenerCount('error')).toBe(0);
  });
});
