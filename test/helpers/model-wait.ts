import type { ModelDetailView, NebulaClient } from '../../src/client/index.js';
import { waitFor } from './wait-for.js';

/**
 * Waits until model `uid` is `running` and returns its detail; while it is `failed`, its reason is the
 * last error the timeout's message quotes.
 */
export function waitModelRunning(
  client: NebulaClient,
  uid: string,
  o: { timeoutMs: number; what?: string },
): Promise<ModelDetailView> {
  return waitFor(
    async () => {
      const d = await client.models.get(uid);
      if (d.state === 'failed') throw new Error(`${uid} failed: ${d.state_reason ?? ''}`);
      return d.state === 'running' ? d : undefined;
    },
    { timeoutMs: o.timeoutMs, what: o.what ?? `${uid} running` },
  );
}
