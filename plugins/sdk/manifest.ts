import type { z } from 'zod';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Journal } from '../../ports/journal.js';
import type { Learner } from '../../ports/learner.js';
import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { RiskPolicy } from '../../ports/risk-policy.js';
import type { Strategy, StrategyContext } from '../../ports/strategy.js';
import type { PluginApiVersion } from './api-version.js';
import type { AdapterContext, PluginContext } from './contexts.js';

export type PluginKind = 'strategy' | 'learner' | 'risk-policy' | 'adapter';
export type AdapterRole = 'broker' | 'market-data' | 'store';

/** A zod schema whose parsed output is P. */
export type ParamsSchema<P> = z.ZodType<P>;

interface ManifestBase<K extends PluginKind, P> {
  readonly kind: K;
  /** kebab-case, unique across loaded plugins. */
  readonly id: string;
  readonly apiVersion: PluginApiVersion;
  readonly description?: string;
  readonly paramsSchema: ParamsSchema<P>;
}

export interface StrategyManifest<P = unknown> extends ManifestBase<'strategy', P> {
  create(context: StrategyContext<P>): Strategy;
}

export interface LearnerManifest<P = unknown> extends ManifestBase<'learner', P> {
  create(context: PluginContext<P>): Learner;
}

export interface RiskPolicyManifest<P = unknown> extends ManifestBase<'risk-policy', P> {
  create(context: PluginContext<P>): RiskPolicy;
}

/** What an adapter plugin provides; only the roles it declares in `provides` are read. */
export interface AdapterInstance {
  broker?: IBrokerAdapter;
  feed?: MarketDataFeed;
  journal?: Journal;
  memory?: MemoryStore;
  /** Release sockets, files and timers; idempotent. */
  close?(): Promise<void>;
}

export interface AdapterManifest<P = unknown> extends ManifestBase<'adapter', P> {
  readonly provides: readonly AdapterRole[];
  create(context: AdapterContext<P>): AdapterInstance | Promise<AdapterInstance>;
}

export type AnyPluginManifest =
  | StrategyManifest<any>
  | LearnerManifest<any>
  | RiskPolicyManifest<any>
  | AdapterManifest<any>;
