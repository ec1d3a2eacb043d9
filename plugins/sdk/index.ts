export * from './api-version.js';
export * from './contexts.js';
export * from './manifest.js';
export * from './define.js';
export * from '../../ports/index.js';
export * from '../../core/domain/index.js';
/** zod, re-exported so a plugin needs only `harvester/sdk` to declare its params schema. */
export { z } from 'zod';
export { env } from '../../core/config/env-ref.js';
export { defineConfig } from '../../core/config/define-config.js';
