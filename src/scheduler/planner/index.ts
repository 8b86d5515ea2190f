/** The planner (pure): cluster state and workloads in, placements (or one plain reason) out. */
export { planModel, planWorkloads } from './planner.js';
export { PortPool } from './ports.js';
