/** Engine adapters: argv + env to launch each engine, its readiness probe and metric names. */
export { loadEngineAdapter, engineTypes } from './factory.js';
export { EngineLaunchError } from './errors.js';
export { cacheLayout, cudaVisibleDevices, memoryFraction, servedModelName } from './common.js';
export type {
  EngineAdapter,
  EngineMetricNames,
  LaunchCommand,
  LaunchInput,
  ReadinessProbe,
} from './types.js';
