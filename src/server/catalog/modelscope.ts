import type { CatalogItem, CatalogModelDetail } from '../../api/schemas/catalog.js';
import { HttpHubProvider, HubNotFoundError } from './hub-json.js';
import { buildDetail, msFiles, msSearchList, normaliseMsItem, unwrapData } from './normalise.js';
import type { CatalogPage, HubProvider } from './types.js';

/**
 * ModelScope HTTP APIs:
 * - search: `GET {base}/openapi/v1/models?search=&sort=downloads&page_number=&page_size=`
 *   -> `{success, data: {models: [{id, downloads, likes, last_modified, tasks, ...}], total_count}}`
 * - metadata: `GET {base}/openapi/v1/models/{id}` (falls back to `GET {base}/api/v1/models/{id}`)
 * - files: `GET {base}/api/v1/models/{id}/repo/files?Revision=&Recursive=true`
 *   -> `{Code, Data: {Files: [{Path, Size, Type}]}, Success}`
 */
export class ModelScopeProvider extends HttpHubProvider implements HubProvider {
  readonly name = 'modelscope' as const;
  readonly defaultRevision = 'master';

  async search(q: string, page: number, limit: number): Promise<CatalogPage> {
    const url = this.searchUrl('/openapi/v1/models', q);
    url.searchParams.set('page_number', String(page));
    url.searchParams.set('page_size', String(limit));
    const { items, total } = msSearchList(await this.getJson(url));
    const out = items.map(normaliseMsItem).filter((x): x is CatalogItem => x !== undefined);
    const hasMore = total !== null ? page * limit < total : out.length >= limit;
    return { items: out, hasMore };
  }

  private async metadata(id: string): Promise<CatalogItem | undefined> {
    for (const path of [`/openapi/v1/models/${id}`, `/api/v1/models/${id}`]) {
      try {
        const item = normaliseMsItem(unwrapData(await this.getJson(new URL(`${this.base}${path}`))));
        if (item) return item;
      } catch (err) {
        if (!(err instanceof HubNotFoundError)) throw err;
      }
    }
    return undefined;
  }

  async detail(id: string, revision: string | undefined): Promise<CatalogModelDetail> {
    const rev = revision ?? this.defaultRevision;
    const filesUrl = new URL(`${this.base}/api/v1/models/${id}/repo/files`);
    filesUrl.searchParams.set('Revision', rev);
    filesUrl.searchParams.set('Recursive', 'true');
    const [meta, filesRaw] = await Promise.all([
      this.metadata(id).catch(() => undefined),
      this.getJson(filesUrl),
    ]);
    const i = id.indexOf('/');
    const item: CatalogItem = meta ?? {
      id,
      source: 'modelscope',
      name: i < 0 ? id : id.slice(i + 1),
      author: i < 0 ? null : id.slice(0, i),
      task: null,
      size: null,
      downloads: null,
      likes: null,
      updated_at: null,
      tags: [],
      library: null,
    };
    return buildDetail({ ...item, id }, msFiles(filesRaw), { revision: rev, sha: null, gated: false });
  }
}
