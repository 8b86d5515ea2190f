import type { CatalogItem, CatalogModelDetail } from '../../api/schemas/catalog.js';
import { HttpHubProvider } from './hub-json.js';
import { buildDetail, hfFiles, hfGated, isObj, normaliseHfItem, str } from './normalise.js';
import type { CatalogPage, HubProvider } from './types.js';

/** Fields asked of the list API (`expand[]`): what the catalog shows, including the storage size. */
const EXPAND = [
  'author',
  'downloads',
  'likes',
  'pipeline_tag',
  'lastModified',
  'library_name',
  'tags',
  'usedStorage',
  'createdAt',
];

/** The Hub API has no offset: page N asks for N x limit (capped) sorted the same way and keeps the tail. */
const MAX_WINDOW = 1000;

/**
 * Hugging Face Hub HTTP API:
 * - search: `GET {base}/api/models?search=&sort=downloads&direction=-1&limit=&expand[]=...`
 * - detail: `GET {base}/api/models/{id}[/revision/{rev}]?blobs=true` (siblings with sizes), and when sizes
 *   are missing `GET {base}/api/models/{id}/tree/{rev}?recursive=true`.
 */
export class HuggingFaceProvider extends HttpHubProvider implements HubProvider {
  readonly name = 'huggingface' as const;
  readonly defaultRevision = 'main';

  async search(q: string, page: number, limit: number): Promise<CatalogPage> {
    const want = Math.min(MAX_WINDOW, page * limit);
    const url = this.searchUrl('/api/models', q);
    url.searchParams.set('direction', '-1');
    url.searchParams.set('limit', String(want));
    for (const e of EXPAND) url.searchParams.append('expand[]', e);
    const raw = await this.getJson(url);
    const all = (Array.isArray(raw) ? raw : [])
      .map(normaliseHfItem)
      .filter((x): x is CatalogItem => x !== undefined);
    const start = (page - 1) * limit;
    return { items: all.slice(start, start + limit), hasMore: all.length >= want && want < MAX_WINDOW };
  }

  async detail(id: string, revision: string | undefined): Promise<CatalogModelDetail> {
    const rev = revision ?? this.defaultRevision;
    const path = revision
      ? `/api/models/${id}/revision/${encodeURIComponent(revision)}`
      : `/api/models/${id}`;
    const url = new URL(`${this.base}${path}`);
    url.searchParams.set('blobs', 'true');
    const raw = await this.getJson(url);
    const item = normaliseHfItem(raw) ?? normaliseHfItem({ ...(isObj(raw) ? raw : {}), id });
    if (!item) throw new Error('unexpected answer from the hub');
    let files = hfFiles(raw);
    if (files.length === 0 || files.some((f) => f.size === null)) {
      const tree = new URL(`${this.base}/api/models/${id}/tree/${encodeURIComponent(rev)}`);
      tree.searchParams.set('recursive', 'true');
      const treeFiles = hfFiles(await this.getJson(tree));
      if (treeFiles.length > 0) files = treeFiles;
    }
    return buildDetail(item, files, {
      revision: rev,
      sha: isObj(raw) ? str(raw['sha']) : null,
      gated: hfGated(raw),
    });
  }
}
