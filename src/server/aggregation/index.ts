/** Read-side aggregation: pure views over store snapshots (model state, nodes, overview, cache). */
export * from './state.js';
export * from './store-reader.js';
export * from './snapshot.js';
export * from './nodes-snapshot.js';
export * from './model-view.js';
export * from './node-view.js';
export * from './overview.js';
export * from './cache-summary.js';
export * from './view-source.js';
export * from './cluster-cache.js';
