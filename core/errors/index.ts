export * from './error-codes.js';
export * from './harvester-error.js';
