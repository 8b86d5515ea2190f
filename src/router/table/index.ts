/** The routing table and where it comes from: store endpoints, static upstreams, engine load. */
export { EndpointTable, ModelRoute, type ManagedModel, type EndpointTableOptions } from './endpoint-table.js';
export { Replica, targetFingerprint, type UpstreamTarget } from './replica.js';
export { PoolSet, type PoolSetOptions } from './pool-set.js';
export { StoreSource, buildManagedModels, originOf } from './store-source.js';
export {
  loadStaticUpstreamsFile,
  parseStaticUpstreams,
  upstreamFromEnv,
  WILDCARD_MODEL,
  type StaticModel,
} from './static-upstreams.js';
export { LoadScraper, type LoadScraperOptions } from './load-scraper.js';
export { parseEngineLoad, type EngineLoad } from './prom-text.js';
