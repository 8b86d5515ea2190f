/** Where and how to ask an engine whether it is ready (from its adapter). */
export interface ReadinessSpec {
  path: string;
  expectStatus: number;
}

/**
 * One readiness probe: GET the engine's readiness path on loopback (the engine runs on this machine), with
 * a timeout. Any network error or other status is "not ready".
 */
export async function probeOnce(
  port: number,
  readiness: ReadinessSpec,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<boolean> {
  const path = readiness.path.startsWith('/') ? readiness.path : `/${readiness.path}`;
  try {
    const res = await fetchImpl(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection can be reused or closed cleanly.
    await res.arrayBuffer().catch(() => undefined);
    return res.status === readiness.expectStatus;
  } catch {
    return false;
  }
}
