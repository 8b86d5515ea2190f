/**
 * A resource a describe block shares (a server, a process): started before its tests, stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Starts `start()` in `beforeAll` and hands it to `stop` in `afterAll` (when it started). Call it inside
 * `describe`; the getter it returns throws outside hooks and tests, where `what` is not started yet.
 */
export function useSuiteResource<T>(
  what: string,
  start: () => Promise<T>,
  stop: (resource: T) => Promise<void>,
): () => T {
  let current: T | undefined;
  beforeAll(async () => {
    current = await start();
  });
  afterAll(async () => {
    if (current !== undefined) await stop(current);
  });
  return () => {
    if (current === undefined) throw new Error(`${what} is not started: use it inside hooks and tests`);
    return current;
  };
}
