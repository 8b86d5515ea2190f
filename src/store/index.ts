export * from './types.js';
export * from './errors.js';
export * from './json.js';
export * from './lease-keeper.js';
export * from './retention.js';
export * from './events.js';
