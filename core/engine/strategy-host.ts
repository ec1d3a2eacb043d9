import type { BookView } from '../domain/book-view.js';
import type { Position } from '../domain/orders.js';
import { Sfc32, seedFrom } from '../domain/random.js';
import type { Money } from '../domain/units.js';
import type { Clock } from '../../ports/clock.js';
import type {
  DecisionRecord,
  IntentResult,
  MemoryView,
  Strategy,
  StrategyContext,
  StrategyIntent,
  StrategyLog,
  TriggerRecord,
} from '../../ports/strategy.js';
import type { StrategyManifest } from '../../plugins/sdk/manifest.js';
import type { JournalWriter } from './journal-writer.js';
import type { Ledger } from './ledger.js';
import type { MarketRouter } from './market-router.js';
import type { OrderManager } from './order-manager.js';

export interface MemoryHolder {
  current: MemoryView | null;
}

export interface StrategyHostDeps {
  clock: Clock;
  router: MarketRouter;
  ledger: Ledger;
  orders: OrderManager;
  journal: JournalWriter;
  memory: MemoryHolder;
  log: (pluginId: string) => StrategyLog;
  seed: number;
  /** Equity for sizing where it is the broker's (paper/live, core/engine/account-truth.ts); default the ledger's. */
  equity?: () => Money;
  /** Receives every trigger a strategy reports (the sample recorder in core/learning); none: triggers are dropped. */
  onTrigger?: (strategyId: string, record: TriggerRecord) => void;
}

/** Builds the context a strategy plugin receives: the only doors it has to books, orders, journal and memory. */
export function createStrategy(manifest: StrategyManifest<unknown>, instanceId: string, params: unknown, d: StrategyHostDeps): Strategy {
  const context: StrategyContext<unknown> = {
    strategyId: instanceId,
    params: params as Readonly<unknown>,
    clock: d.clock,
    log: d.log(instanceId),
    random: new Sfc32(seedFrom(d.seed, instanceId)),
    book: (symbol: string): BookView | undefined => d.router.book(symbol),
    position: (symbol: string): Position | undefined => d.ledger.position(symbol),
    equity: d.equity ?? ((): Money => d.ledger.equity()),
    submit: (intent: StrategyIntent): IntentResult => d.orders.submitIntent(instanceId, intent),
    cancel: (coid: string): void => d.orders.cancel(instanceId, coid),
    close: (symbol: string, reason: string): IntentResult | null => d.orders.closePosition(instanceId, symbol, reason),
    decide: (record: DecisionRecord): void => {
      const m = d.memory.current;
      // The checksum rides along only when memory is in force, so a session without learning journals as before.
      const memory = m === null ? { memoryVersion: null } : { memoryVersion: m.version, memoryChecksum: m.checksum ?? null };
      d.journal.write(
        'decision',
        `decision.${record.stage}`,
        { ...record, ...memory },
        {
          symbol: record.symbol,
          strategyId: instanceId,
          tradeId: record.tradeId,
        },
      );
    },
    snapshot: (tradeId: string, label: string, features: Readonly<Record<string, number>>): void => {
      d.journal.write('sample', 'feature.snapshot', { label, features: { ...features } }, { strategyId: instanceId, tradeId });
    },
    trigger: (record: TriggerRecord): void => d.onTrigger?.(instanceId, record),
    memory: () => d.memory.current,
  };
  const strategy = manifest.create(context);
  if (strategy.id === instanceId) return strategy;
  // The kernel addresses strategies by instance id (journal, risk, plugin.error): rebind once, not per call.
  const bind = <K extends keyof Strategy>(k: K): Strategy[K] => {
    const f = strategy[k];
    return (typeof f === 'function' ? f.bind(strategy) : f) as Strategy[K];
  };
  return {
    id: instanceId,
    subscriptions: bind('subscriptions'),
    start: bind('start'),
    onBook: bind('onBook'),
    onTrade: bind('onTrade'),
    onStatus: bind('onStatus'),
    onOrder: bind('onOrder'),
    onTradeClosed: bind('onTradeClosed'),
    stop: bind('stop'),
  };
}
