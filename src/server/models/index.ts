/** Model, template and migration writes of the control API. */
export * from './service.js';
export * from './template-service.js';
export * from './system-templates.js';
export * from './migrate.js';
export * from './uid.js';
