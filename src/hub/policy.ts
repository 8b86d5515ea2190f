/**
 * The one redirect allowlist and URL policy for every call Nebula makes to a model hub: the server's
 * catalog and model-facts reader and the node's downloads share it (DESIGN §5, §9).
 *
 * Rules:
 * - requests start only at URLs built under a configured base (HF_ENDPOINT / MODELSCOPE_ENDPOINT or the
 *   defaults); a base is the operator's choice, so plain http is accepted for it (a mirror on a private
 *   network, a test hub on loopback);
 * - a redirect may go to the origin of any configured base, or over https to an allowlisted host
 *   (`DEFAULT_REDIRECT_HOSTS` plus hosts the operator adds), never to plain http, except between loopback
 *   hosts the operator listed (a test hub and its fake CDN);
 * - never URLs with credentials.
 */
import { HubError } from './errors.js';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';
/** ModelScope's API host (`modelscope.cn` redirects here). */
export const DEFAULT_MODELSCOPE_ENDPOINT = 'https://www.modelscope.cn';

/**
 * Hosts the real hubs redirect to (exact names, or `.suffix` for any subdomain). The union of what the
 * catalog and the downloads allowed before they shared this list:
 * - `huggingface.co`, `hf.co` and their subdomains: API renames (`/api/models/old` -> new id) and the
 *   LFS CDNs (`cdn-lfs.huggingface.co`, `cdn-lfs-us-1.hf.co`, ...);
 * - `.xethub.hf.co` is covered by `.hf.co` (Xet storage `cas-bridge.xethub.hf.co`);
 * - `hf-mirror.com` and its subdomains: the public mirror most users in China set as HF_ENDPOINT;
 * - `modelscope.cn`, `modelscope.ai` and their subdomains: ModelScope's API and its international site;
 * - `.aliyuncs.com`: ModelScope serves files from Alibaba Cloud OSS buckets (public hosts only).
 */
export const DEFAULT_REDIRECT_HOSTS: readonly string[] = [
  'huggingface.co',
  '.huggingface.co',
  'hf.co',
  '.hf.co',
  'hf-mirror.com',
  '.hf-mirror.com',
  'modelscope.cn',
  '.modelscope.cn',
  'modelscope.ai',
  '.modelscope.ai',
  '.aliyuncs.com',
];

export interface UrlPolicy {
  /** The hub's base URL: requests are built under it, and the token (if any) goes only to its origin. */
  readonly base: URL;
  /** Hosts a redirect may go to besides the base's origin (usually DEFAULT_REDIRECT_HOSTS + extras). */
  readonly redirectHosts: readonly string[];
  /** Origins of other configured hubs, also allowed (a mirror may redirect to the other hub's base). */
  readonly otherBases?: readonly URL[];
}

/** Parses and checks a configured hub base URL (http or https, no credentials, no query). */
export function parseBaseUrl(raw: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new HubError(`${what} "${raw}" is not a URL`, 'INVALID_MODEL_REFERENCE');
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash) {
    throw new HubError(
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

function isBaseOrigin(policy: UrlPolicy, url: URL): boolean {
  if (url.origin === policy.base.origin) return true;
  return (policy.otherBases ?? []).some((b) => b.origin === url.origin);
}

/**
 * Why `url` may not be contacted under `policy`, or undefined when it may: a configured base's origin,
 * or https to an allowlisted host; plain http to an allowlisted loopback host only when `from` is loopback
 * http too (a test hub and its CDN).
 */
export function refusal(policy: UrlPolicy, url: URL, from?: URL): string | undefined {
  if (url.username || url.password) return `a URL with credentials is refused`;
  if (isBaseOrigin(policy, url)) return undefined;
  const loopbackHttp =
    from !== undefined &&
    from.protocol === 'http:' &&
    isLoopback(from.hostname) &&
    url.protocol === 'http:' &&
    isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) return `non-https ${url.protocol}//${url.host} refused`;
  if (!hostAllowed(url.hostname, policy.redirectHosts))
    return `${url.hostname} refused: not an allowlisted hub host`;
  return undefined;
}

/** True when a request may be sent to `url` (the check the client makes before every hop). */
export function allowedUrl(policy: UrlPolicy, url: URL): boolean {
  return refusal(policy, url) === undefined;
}

/**
 * Resolves a redirect `location` against `from` and checks it (see `refusal`). Throws a HubError
 * REDIRECT_NOT_ALLOWED otherwise.
 */
export function checkRedirect(policy: UrlPolicy, from: URL, location: string): URL {
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    throw new HubError(`hub redirected to an invalid URL`, 'REDIRECT_NOT_ALLOWED', { host: from.host });
  }
  const why = refusal(policy, to, from);
  if (why !== undefined) {
    throw new HubError(`redirect to ${why}`, 'REDIRECT_NOT_ALLOWED', { host: to.host });
  }
  return to;
}

/** The URL policies of both hubs, built the same way wherever Nebula talks to them (server and nodes). */
export function hubPolicies(o: {
  hfEndpoint: string;
  modelscopeEndpoint: string;
  /** Hosts the operator adds to DEFAULT_REDIRECT_HOSTS (a private mirror's CDN). */
  extraRedirectHosts?: readonly string[];
}): { huggingface: UrlPolicy; modelscope: UrlPolicy } {
  const hf = parseBaseUrl(o.hfEndpoint, 'Hugging Face endpoint');
  const ms = parseBaseUrl(o.modelscopeEndpoint, 'ModelScope endpoint');
  const redirectHosts = [...DEFAULT_REDIRECT_HOSTS, ...(o.extraRedirectHosts ?? [])];
  return {
    huggingface: { base: hf, redirectHosts, otherBases: [ms] },
    modelscope: { base: ms, redirectHosts, otherBases: [hf] },
  };
}
