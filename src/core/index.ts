export * from './domain/index.js';
export * from './ids.js';
export * from './keys.js';
export * from './errors.js';
export * from './clock.js';
export * from './logger.js';
export * from './config.js';
export * from './version.js';
export { createMetricsRegistry } from './metrics.js';
