import type { AnyPluginManifest } from '../../plugins/sdk/manifest.js';

/**
 * The plugins that ship with Harvester, registered by id so that harvester.config.ts can name them as strings.
 * The CLI (a driving adapter) is the one place that knows them; core receives them as values.
 * Imported lazily so that `harvester --help` does not load @stoqey/ib or typeorm.
 */
export async function builtinPlugins(): Promise<AnyPluginManifest[]> {
  const modules = await Promise.all([
    import('../replay/index.js'),
    import('../simulated/index.js'),
    import('../persistence/index.js'),
    import('../tws/index.js'),
    import('../../learners/none/index.js'),
    import('../../learners/meta-label/index.js'),
    import('../../learners/threshold-tuner/index.js'),
    import('../../learners/exec-memory/index.js'),
    import('../../strategies/example-imbalance-tick/index.js'),
    import('../../strategies/lmp/index.js'),
  ]);
  const list: AnyPluginManifest[] = modules.map((m) => m.default as AnyPluginManifest);
  const { builtinRiskPolicies } = await import('../../plugins/risk-policies/index.js');
  return [...list, ...builtinRiskPolicies];
}
