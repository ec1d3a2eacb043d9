import type { UserConfig } from './root-schema.js';

/** Identity function that types `harvester.config.ts`. Validation happens when the config is loaded. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}
