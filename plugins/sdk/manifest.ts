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

/** Where an adapter connects when it talks to a real venue (a TWS or IB Gateway), known before anything connects. */
export interface VenueEndpoint {
  /** The venue family, e.g. 'tws'. */
  readonly kind: string;
  readonly host: string;
  readonly port: number;
}

export interface AdapterManifest<P = unknown> extends ManifestBase<'adapter', P> {
  readonly provides: readonly AdapterRole[];
  /**
   * The venue this adapter would connect to with these (parsed) params, or null/absent when it never leaves the
   * process (replay, simulated broker, store). A session with a venue follows the paper/live arming rules whatever
   * its configured mode (core/risk/live-arming.ts), so an adapter that talks to a broker must declare it.
   */
  venue?(params: P): VenueEndpoint | null;
  create(context: AdapterContext<P>): AdapterInstance | Promise<AdapterInstance>;
}

export type AnyPluginManifest = StrategyManifest<any> | LearnerManifest<any> | RiskPolicyManifest<any> | AdapterManifest<any>;
