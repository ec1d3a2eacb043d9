import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/harvester-error.js';

/**
 * Import a `harvester.config.ts` (TypeScript runs through tsx, which the CLI registers) and return its default
 * export, untouched; validation is `resolveConfig`'s job.
 */
export type ModuleImporter = (url: string) => Promise<unknown>;

export async function importConfigFile(
  file: string,
  importer: ModuleImporter = (url) => import(url),
): Promise<{ input: unknown; path: string; dir: string }> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ConfigError('CONFIG.NOT_FOUND', `config file not found: ${abs}`, '(file)');
  let mod: { default?: unknown };
  try {
    mod = (await importer(pathToFileURL(abs).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError('CONFIG.LOAD_FAILED', `config file ${abs} failed to load: ${(error as Error).message}`, '(file)', undefined, {
      cause: error,
    });
  }
  if (mod.default === undefined)
    throw new ConfigError('CONFIG.INVALID', `${abs} has no default export (export default defineConfig({...}))`, '(root)');
  return { input: mod.default, path: abs, dir: path.dirname(abs) };
}
