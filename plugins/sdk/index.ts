export * from './api-version.js';
export * from './contexts.js';
export * from './manifest.js';
export * from './define.js';
export * from '../../ports/index.js';
export * from '../../core/domain/index.js';
