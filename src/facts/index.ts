/** Model files facts (DESIGN §11): what a model needs, read from its files. The estimator reads the result. */
export { factsFromConfig, totalSizeFromIndex, type GeometryFacts } from './config-json.js';
export { factsFromGgufMetadata, readGgufFacts, GgufHeaderError, type RangeReader } from './gguf-header.js';
export { pickGguf, selectWeightFiles, type RepoFile, type WeightSelection } from './weight-files.js';
export { readModelFacts, type FactsReaderDeps, type FactsResult, type FactsTarget } from './reader.js';
