/** Wire schemas of the control API: request bodies, queries and response views (zod, OpenAPI). */
export * from './common.js';
export * from './models.js';
export * from './revisions.js';
export * from './templates.js';
export * from './nodes.js';
export * from './engines.js';
export * from './cache.js';
export * from './events.js';
export * from './auth.js';
export * from './catalog.js';
export * from './v1.js';
export * from './settings.js';
export * from './system.js';
export * from './autoscaling.js';
export * from './pull.js';
