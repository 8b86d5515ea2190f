/** The placement reconciler: the node's replicas follow the placement plans (watched), adopting survivors. */
export { Reconciler, type ReconcilerOptions } from './reconciler.js';
