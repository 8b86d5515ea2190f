/** Pre-pulls on a node: download a model's files without starting an engine (`nebula model pull`). */
export { PullRunner, type PullFiles, type PullRunnerDeps, type PullRunnerOptions } from './pull-runner.js';
export { pullOutcome, pullProgress } from './pull-record.js';
