import type { EngineType } from '../../core/domain/index.js';
import type { EngineAdapter, LaunchCommand, LaunchInput } from '../../engines/types.js';

/** How to run the `nebula` binary itself (the simulator engine is `nebula engine-sim`). */
export type NebulaBin = LaunchInput['nebulaBin'];

/** What an engine adapter gets to build a launch. */
export type LaunchContext = LaunchInput;
export type LaunchSpec = LaunchCommand;

/**
 * The part of an engine adapter (src/engines) the node agent uses: argv/env for a launch, readiness, and
 * the metric names that say how many requests are in flight (read while a replica drains; an adapter
 * without them gets no in-flight wait, only the settle time).
 */
export type EngineAdapterLike = Pick<EngineAdapter, 'buildLaunch' | 'readiness'> &
  Partial<Pick<EngineAdapter, 'metricNames'>>;

export type EngineAdapterLoader = (type: EngineType) => Promise<EngineAdapterLike>;

/** The default loader: the adapters of src/engines, imported when the first engine starts. */
export const defaultEngineAdapterLoader: EngineAdapterLoader = async (type) => {
  const { loadEngineAdapter } = await import('../../engines/index.js');
  return loadEngineAdapter(type);
};
