import { PLUGIN_ID_PATTERN } from './api-version.js';
import type { AdapterManifest, LearnerManifest, RiskPolicyManifest, StrategyManifest } from './manifest.js';

type Input<M> = Omit<M, 'kind'>;

function checkId(id: string): void {
  // Fails at import time of the plugin, so a bad id never reaches a session.
  if (!PLUGIN_ID_PATTERN.test(id)) throw new TypeError(`plugin id '${id}' is not kebab-case (${PLUGIN_ID_PATTERN})`);
}

/** Declare a strategy plugin. `create` receives a context (params already parsed and frozen), never the composition root. */
export function defineStrategy<P>(manifest: Input<StrategyManifest<P>>): StrategyManifest<P> {
  checkId(manifest.id);
  return Object.freeze({ ...manifest, kind: 'strategy' as const });
}

/** Declare a learner plugin. A learner sees samples and feature vectors only; it cannot place orders. */
export function defineLearner<P>(manifest: Input<LearnerManifest<P>>): LearnerManifest<P> {
  checkId(manifest.id);
  return Object.freeze({ ...manifest, kind: 'learner' as const });
}

/** Declare a risk policy plugin; config composes policies into a chain, each with its breach action. */
export function defineRiskPolicy<P>(manifest: Input<RiskPolicyManifest<P>>): RiskPolicyManifest<P> {
  checkId(manifest.id);
  return Object.freeze({ ...manifest, kind: 'risk-policy' as const });
}

/** Declare an adapter plugin providing a broker, a market-data feed and/or a store (journal + memory). */
export function defineAdapter<P>(manifest: Input<AdapterManifest<P>>): AdapterManifest<P> {
  checkId(manifest.id);
  return Object.freeze({ ...manifest, kind: 'adapter' as const });
}
