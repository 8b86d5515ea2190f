import { errorMessage } from '../../core/errors.js';

/** Formats a host for a URL (IPv6 literals need brackets). */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** fetch with a timeout; network failures and timeouts become a rejected promise with a short reason. */
export async function fetchWithTimeout(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit & { timeoutMs: number },
): Promise<Response> {
  const { timeoutMs, ...rest } = init;
  const signal = rest.signal
    ? AbortSignal.any([rest.signal, AbortSignal.timeout(timeoutMs)])
    : AbortSignal.timeout(timeoutMs);
  try {
    return await fetchImpl(url, { ...rest, signal, redirect: 'manual' });
  } catch (err) {
    const reason =
      err instanceof Error && err.name === 'TimeoutError'
        ? `timed out after ${timeoutMs} ms`
        : errorMessage(err);
    throw new OutboundError(reason, { cause: err });
  }
}

export class OutboundError extends Error {}
