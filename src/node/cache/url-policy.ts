/**
 * Where the cache manager may connect: only the configured hub base URLs, and redirects only to allowlisted
 * hosts (the base's own host and the hubs' CDN hosts), never to plain http, except between loopback hosts
 * (a test hub and its fake CDN). A plain-http base is accepted (a mirror on a private network).
 */
import { CacheError } from './errors.js';

/** CDN hosts the real hubs redirect file downloads to (exact names or `.suffix` for subdomains). */
export const DEFAULT_REDIRECT_HOSTS: readonly string[] = [
  '.huggingface.co',
  '.hf.co',
  '.xethub.hf.co',
  '.modelscope.cn',
  '.modelscope.ai',
  '.aliyuncs.com',
];

export interface UrlPolicy {
  readonly base: URL;
  /** Hosts a redirect may go to besides the base's host. */
  readonly redirectHosts: readonly string[];
}

/** Parses and checks a configured hub base URL (http or https, no credentials, no query). */
export function parseBaseUrl(raw: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CacheError(`${what} "${raw}" is not a URL`, 'INVALID_MODEL_REFERENCE');
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash) {
    throw new CacheError(
      `${what} "${raw}" must be an http(s) URL without credentials or query`,
      'INVALID_MODEL_REFERENCE',
    );
  }
  return u;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function hostAllowed(host: string, list: readonly string[]): boolean {
  const h = host.toLowerCase();
  return list.some((e) => (e.startsWith('.') ? h.endsWith(e) && h.length > e.length : h === e.toLowerCase()));
}

/** Builds a URL under the base (path already encoded), keeping any path prefix of the base (mirrors). */
export function hubUrl(policy: UrlPolicy, pathAndQuery: string): URL {
  const prefix = policy.base.pathname.replace(/\/+$/, '');
  return new URL(`${policy.base.origin}${prefix}${pathAndQuery}`);
}

/**
 * Resolves a redirect `location` against `from` and checks it: same origin as the base, or an https URL on
 * an allowlisted host. Throws REDIRECT_NOT_ALLOWED otherwise.
 */
export function checkRedirect(policy: UrlPolicy, from: URL, location: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new CacheError(`hub redirected to an invalid URL`, 'REDIRECT_NOT_ALLOWED');
  }
  if (to.username || to.password)
    throw new CacheError(`redirect to a URL with credentials refused`, 'REDIRECT_NOT_ALLOWED');
  if (to.origin === policy.base.origin) return to;
  // Plain http only between loopback hosts (a test hub and its fake CDN), never from or to the network.
  const loopbackHttp =
    policy.base.protocol === 'http:' &&
    isLoopback(policy.base.hostname) &&
    to.protocol === 'http:' &&
    isLoopback(to.hostname);
  if (to.protocol !== 'https:' && !loopbackHttp)
    throw new CacheError(`redirect to non-https ${to.origin} refused`, 'REDIRECT_NOT_ALLOWED');
  if (!hostAllowed(to.hostname, policy.redirectHosts)) {
    throw new CacheError(
      `redirect to ${to.hostname} refused: not an allowlisted hub host`,
      'REDIRECT_NOT_ALLOWED',
    );
  }
  return to;
}
