import { importConfigFile } from '../../core/config/load-config.js';
import { resolveConfig, type ResolvedConfig } from '../../core/config/resolve-config.js';
import { builtinPlugins } from './builtin-plugins.js';

export const DEFAULT_CONFIG = 'harvester.config.ts';

/** Load and fully validate a config file (both phases). Throws ConfigError/PluginError naming path and plugin. */
export async function loadResolvedConfig(file: string | undefined): Promise<{ resolved: ResolvedConfig; path: string }> {
  const loaded = await importConfigFile(file ?? DEFAULT_CONFIG);
  const resolved = await resolveConfig(loaded.input, { builtins: await builtinPlugins(), baseDir: loaded.dir });
  return { resolved, path: loaded.path };
}
