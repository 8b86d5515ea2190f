/**
 * Engines that outlive their agent: the data dir lock naming the agent, finding its engines, and the
 * watchdog process that stops them unless a new agent adopts them in time.
 */
export { acquireAgentLock, liveLockHolder, type AgentLockHolder } from './agent-lock.js';
export { findOrphanEngines, type OrphanEngine } from './orphans.js';
export {
  DEFAULT_ORPHAN_GRACE_MS,
  runOrphanWatchdog,
  startOrphanWatchdog,
  type OrphanWatchdogArgs,
  type WatchdogHandle,
  type WatchdogOutcome,
} from './orphan-watchdog.js';
