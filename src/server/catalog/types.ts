import type { CatalogItem, CatalogModelDetail, CatalogProvider } from '../../api/schemas/catalog.js';

/** One page of a hub's search results. */
export interface CatalogPage {
  items: CatalogItem[];
  hasMore: boolean;
}

/** One hub behind the catalog. Implementations build URLs only from their configured base and validated ids. */
export interface HubProvider {
  readonly name: CatalogProvider;
  /** Default revision of repositories on this hub (`main` on Hugging Face, `master` on ModelScope). */
  readonly defaultRevision: string;
  search(q: string, page: number, limit: number): Promise<CatalogPage>;
  /** Throws HubNotFoundError when the repository does not exist (or is not visible). */
  detail(id: string, revision: string | undefined): Promise<CatalogModelDetail>;
}
