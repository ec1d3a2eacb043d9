import { PluginError } from '../errors/harvester-error.js';
import { PLUGIN_API_VERSION, PLUGIN_ID_PATTERN } from '../../plugins/sdk/api-version.js';
import type { AnyPluginManifest, PluginKind } from '../../plugins/sdk/manifest.js';

const KINDS: readonly PluginKind[] = ['strategy', 'learner', 'risk-policy', 'adapter'];

/** Known plugins by id. Duplicates, bad ids, wrong kinds and API-version mismatches fail here, naming the plugin. */
export class PluginRegistry {
  private readonly byId = new Map<string, { manifest: AnyPluginManifest; origin: string }>();

  register(manifest: unknown, origin: string): AnyPluginManifest {
    const m = validateManifest(manifest, origin);
    const existing = this.byId.get(m.id);
    if (existing !== undefined) {
      if (existing.manifest === m) return m;
      throw new PluginError('PLUGIN.DUPLICATE_ID', m.id, `registered twice (by ${existing.origin} and by ${origin})`);
    }
    this.byId.set(m.id, { manifest: m, origin });
    return m;
  }

  get<K extends PluginKind>(id: string, kind: K, where: string): Extract<AnyPluginManifest, { kind: K }> {
    const entry = this.byId.get(id);
    if (entry === undefined) {
      const known = this.ids(kind).join(', ') || '(none)';
      throw new PluginError('PLUGIN.UNKNOWN_ID', id, `unknown ${kind} plugin at ${where}; known ${kind} plugins: ${known}`);
    }
    if (entry.manifest.kind !== kind) {
      throw new PluginError('PLUGIN.WRONG_KIND', id, `is a ${entry.manifest.kind} plugin, but ${where} needs a ${kind}`);
    }
    return entry.manifest as Extract<AnyPluginManifest, { kind: K }>;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(kind?: PluginKind): string[] {
    return [...this.byId.values()]
      .filter((e) => kind === undefined || e.manifest.kind === kind)
      .map((e) => e.manifest.id)
      .sort();
  }

  list(): { id: string; kind: PluginKind; origin: string; description: string }[] {
    return [...this.byId.values()]
      .map((e) => ({ id: e.manifest.id, kind: e.manifest.kind, origin: e.origin, description: e.manifest.description ?? '' }))
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id));
  }
}

export function validateManifest(manifest: unknown, origin: string): AnyPluginManifest {
  const m = manifest as Partial<AnyPluginManifest> | null;
  const id = typeof m?.id === 'string' ? m.id : `<${origin}>`;
  if (m === null || typeof m !== 'object') throw new PluginError('PLUGIN.LOAD_FAILED', id, `${origin} does not export a plugin manifest`);
  if (typeof m.id !== 'string' || !PLUGIN_ID_PATTERN.test(m.id))
    throw new PluginError('PLUGIN.LOAD_FAILED', id, `id must be kebab-case (${PLUGIN_ID_PATTERN})`);
  if (!KINDS.includes(m.kind as PluginKind))
    throw new PluginError('PLUGIN.LOAD_FAILED', id, `kind must be one of ${KINDS.join(', ')}; use defineStrategy/defineAdapter/…`);
  if (m.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginError(
      'PLUGIN.API_VERSION',
      id,
      `speaks plugin API version ${String(m.apiVersion)}, this Harvester speaks ${PLUGIN_API_VERSION}`,
    );
  }
  if (typeof m.create !== 'function') throw new PluginError('PLUGIN.LOAD_FAILED', id, 'has no create(context) function');
  if (m.paramsSchema === undefined || typeof (m.paramsSchema as { safeParse?: unknown }).safeParse !== 'function') {
    throw new PluginError('PLUGIN.LOAD_FAILED', id, 'has no zod paramsSchema');
  }
  return m as AnyPluginManifest;
}
