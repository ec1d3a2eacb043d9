import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { importConfigFile } from '../../core/config/load-config.js';
import { resolveConfig, type ResolvedConfig } from '../../core/config/resolve-config.js';
import { builtinPlugins } from './builtin-plugins.js';

export const DEFAULT_CONFIG = 'harvester.config.ts';
const HARVESTER_TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** Load and fully validate a config file (both phases). Throws ConfigError/PluginError naming path and plugin. */
export async function loadResolvedConfig(file: string | undefined): Promise<{ resolved: ResolvedConfig; path: string }> {
  // tsImport loads a TypeScript config as ESM wherever it lives (even in a folder without "type": "module").
  const loaded = await importConfigFile(file ?? DEFAULT_CONFIG, async (url) => {
    const mod = (await tsImport(url, { parentURL: import.meta.url, tsconfig: HARVESTER_TSCONFIG })) as { default?: unknown };
    // A CommonJS-compiled config nests its export one level deeper.
    const inner = mod.default as { default?: unknown; __esModule?: boolean } | undefined;
    return inner !== undefined && typeof inner === 'object' && 'default' in inner && inner.__esModule ? inner : mod;
  });
  const resolved = await resolveConfig(loaded.input, { builtins: await builtinPlugins(), baseDir: loaded.dir });
  return { resolved, path: loaded.path };
}
