import { HubError, type HubClient } from '../../hub/index.js';
import { ApiError } from '../errors.js';

/** The repository (or revision) is not on the hub, or not visible without credentials. */
export class HubNotFoundError extends Error {}

/** Largest catalog answer read (search pages, file trees). */
const CATALOG_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Maps a hub failure to what the catalog API answers: not found -> HubNotFoundError (the caller says
 * which model); a refused host or a hub that did not answer -> 503 HUB_UNAVAILABLE; a hub that answered
 * badly -> 502 HUB_UNAVAILABLE.
 */
export function catalogHubError(err: HubError): Error {
  const host = err.host ?? 'hub';
  if (err.code === 'MODEL_NOT_FOUND_ON_HUB' || err.code === 'HUB_UNAUTHORIZED') {
    return new HubNotFoundError(`not found on ${host}${err.status ? ` (HTTP ${err.status})` : ''}`);
  }
  if (err.code === 'REDIRECT_NOT_ALLOWED') {
    return new ApiError(503, 'HUB_UNAVAILABLE', `refusing to contact ${host}: not an allowed hub host`, {
      details: { host, reason: err.message },
    });
  }
  if (err.status !== undefined) {
    return new ApiError(502, 'HUB_UNAVAILABLE', `hub ${host} answered HTTP ${err.status}`, {
      details: { host, status: err.status },
    });
  }
  return new ApiError(err.retryable ? 503 : 502, 'HUB_UNAVAILABLE', err.message, { details: { host } });
}

/** GETs JSON from a hub for the catalog, with the catalog's size cap and error mapping. */
export async function getCatalogJson(http: HubClient, url: URL): Promise<unknown> {
  try {
    return (await http.json(url, { what: 'catalog', maxBytes: CATALOG_MAX_BYTES })).body;
  } catch (err) {
    throw err instanceof HubError ? catalogHubError(err) : err;
  }
}

/**
 * What the HTTP hub providers share: the hub client and the configured base URL every request is built
 * from, catalog-capped JSON reads, and search URLs sorted by downloads.
 */
export abstract class HttpHubProvider {
  constructor(
    private readonly http: HubClient,
    protected readonly base: string,
  ) {}

  /** GETs JSON from this hub (see getCatalogJson). */
  protected getJson(url: URL): Promise<unknown> {
    return getCatalogJson(this.http, url);
  }

  /** `{base}{path}?search=q&sort=downloads` (no `search` for an empty query); callers add paging. */
  protected searchUrl(path: string, q: string): URL {
    const url = new URL(`${this.base}${path}`);
    if (q) url.searchParams.set('search', q);
    url.searchParams.set('sort', 'downloads');
    return url;
  }
}
