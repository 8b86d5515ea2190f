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

/**
 * A stand-in for what `get` returns when it is used: what a describe block hands out before its resource
 * has started (methods are called on the current resource).
 */
export function forwardTo<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_target, prop) {
      const current = get();
      const value: unknown = Reflect.get(current, prop, current);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(current) : value;
    },
  });
}
