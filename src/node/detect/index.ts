/** Which engines this host can launch: configured and installed binaries, probed for their versions. */
export {
  DETECTABLE_ENGINES,
  defaultInstallRoots,
  parseEngineBins,
  resolveEngineBins,
  type DetectableEngine,
  type EngineBins,
} from './engine-bins.js';
export { EngineDetector, type EngineDetectorOptions, type EngineSnapshot } from './engine-detector.js';
