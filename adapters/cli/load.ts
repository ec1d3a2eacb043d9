import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { importConfigFile } from '../../core/config/load-config.js';
import { resolveConfig, type ResolvedConfig } from '../../core/config/resolve-config.js';
import { builtinPlugins } from './builtin-plugins.js';
import { launchEnv } from './launch-env.js';

export const DEFAULT_CONFIG = 'harvester.config.ts';
const HARVESTER_TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** Secrets of the config this process loaded: main.ts scrubs its error output with them. */
export const loadedSecrets: string[] = [];

async function importTs(url: string): Promise<unknown> {
  if (!url.startsWith('file:')) return import(url);
  const mod = (await tsImport(url, { parentURL: import.meta.url, tsconfig: HARVESTER_TSCONFIG })) as { default?: unknown };
  // A CommonJS-compiled module nests its export one level deeper.
  const inner = mod.default as { default?: unknown; __esModule?: boolean } | undefined;
  return inner !== undefined && typeof inner === 'object' && 'default' in inner && inner.__esModule ? inner : mod;
}

/** Load and fully validate a config file (both phases). Throws ConfigError/PluginError naming path and plugin. */
export async function loadResolvedConfig(file: string | undefined): Promise<{ resolved: ResolvedConfig; path: string }> {
  // tsImport loads a TypeScript config as ESM wherever it lives (even in a folder without "type": "module").
  const loaded = await importConfigFile(file ?? DEFAULT_CONFIG, importTs);
  // Plugins given by path load the same way as the config (tsx's ESM import, wherever they live), so a plugin in a
  // folder without "type": "module" fails with its own error, not with require()'s "ES Module … in a cycle".
  // Env references resolve from the environment captured at start, which config code cannot change.
  const resolved = await resolveConfig(loaded.input, {
    builtins: await builtinPlugins(),
    baseDir: loaded.dir,
    env: launchEnv,
    importer: importTs,
  });
  loadedSecrets.push(...resolved.secrets);
  return { resolved, path: loaded.path };
}
