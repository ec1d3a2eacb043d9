import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError } from '../errors/harvester-error.js';
import type { AnyPluginManifest } from '../../plugins/sdk/manifest.js';
import { validateManifest } from './plugin-registry.js';

/** True when a `use:` string names a module (path or package) rather than a registered plugin id. */
export function isModuleReference(ref: string): boolean {
  return ref.startsWith('.') || ref.startsWith('/') || ref.startsWith('file:') || ref.startsWith('@') || ref.includes('/');
}

/**
 * Import a plugin from a path (relative to the config file's folder) or an installed package name, and return its
 * default export (or its only manifest-shaped export). Import failures name the reference.
 */
export async function loadPluginModule(
  ref: string,
  baseDir: string,
  importer: (specifier: string) => Promise<unknown> = (s) => import(s),
): Promise<AnyPluginManifest> {
  const byPath = ref.startsWith('.') || ref.startsWith('/');
  const specifier = byPath ? pathToFileURL(path.resolve(baseDir, ref)).href : ref;
  let mod: Record<string, unknown>;
  try {
    mod = (await importer(specifier)) as Record<string, unknown>;
  } catch (error) {
    const where = byPath ? ` (${path.resolve(baseDir, ref)})` : '';
    throw new PluginError('PLUGIN.LOAD_FAILED', ref, `cannot be imported${where}: ${(error as Error).message}`, { cause: error });
  }
  const candidate = mod.default ?? Object.values(mod).find((v) => typeof v === 'object' && v !== null && 'create' in v && 'kind' in v);
  return validateManifest(candidate, ref);
}
