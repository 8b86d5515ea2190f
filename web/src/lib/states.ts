import type { AggregatedState } from '../api/types.ts';

/** Every aggregated state, in the order filters and legends list them. */
export const MODEL_STATES: readonly AggregatedState[] = [
  'running',
  'updating',
  'degraded',
  'starting',
  'downloading',
  'idle',
  'stopping',
  'stopped',
  'failed',
];

/** Mantine color of each aggregated state (badges, legends, bars). */
export const STATE_COLOR: Record<AggregatedState, string> = {
  running: 'teal',
  updating: 'cyan',
  degraded: 'orange',
  starting: 'yellow',
  downloading: 'blue',
  idle: 'cyan',
  stopping: 'grape',
  stopped: 'gray',
  failed: 'red',
};

/** What each state means, for tooltips. */
export const STATE_HELP: Record<AggregatedState, string> = {
  running: 'Every replica is ready and serving',
  updating: 'A new revision is rolling out (or a failed one rolling back) while replicas serve',
  degraded: 'Some replicas are ready, others are not',
  starting: 'Replicas are placed and their engines are starting',
  downloading: 'Model files are being downloaded to the nodes',
  idle: 'Autoscaled to zero replicas after no requests; the next request wakes it',
  stopping: 'Stopped; replicas are still shutting down',
  stopped: 'Not running (configuration kept)',
  failed: 'No replica is ready and the model cannot be placed or keeps crashing',
};

/** States in which the model is (or is becoming) active: "Stop" applies. */
export function isActive(state: AggregatedState): boolean {
  return state !== 'stopped' && state !== 'stopping';
}

/** Engines the server knows, with their labels. */
export const ENGINES = [
  { value: 'vllm', label: 'vLLM' },
  { value: 'sglang', label: 'SGLang' },
  { value: 'llamacpp', label: 'llama.cpp' },
  { value: 'sim', label: 'Simulator' },
] as const;

export const SOURCES = [
  { value: 'huggingface', label: 'Hugging Face' },
  { value: 'modelscope', label: 'ModelScope' },
  { value: 'local', label: 'Local path' },
] as const;

export const SOURCE_LABEL: Record<string, string> = {
  huggingface: 'Hugging Face',
  modelscope: 'ModelScope',
  local: 'Local',
};
export const ENGINE_LABEL: Record<string, string> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  llamacpp: 'llama.cpp',
  sim: 'Simulator',
};
