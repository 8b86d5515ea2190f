export { renderTable, renderFields, truncate, type Column } from './table.js';
export { parseOutputFormat, serialize, OUTPUT_FORMATS, type OutputFormat } from './format.js';
export {
  formatBytes,
  formatDuration,
  formatAge,
  parseDuration,
  formatNumber,
  formatSeconds,
  formatPercent,
} from './human.js';
export { styleFor, colorState, visibleWidth, type Style } from './style.js';
export { progressBar, ProgressReporter, type ProgressOptions } from './progress.js';
