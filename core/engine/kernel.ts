import type { Clock } from '../../ports/clock.js';
import type { IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { Journal } from '../../ports/journal.js';
import type { MarketDataFeed } from '../../ports/market-data-feed.js';
import type { MemoryStore } from '../../ports/memory-store.js';
import type { RiskGate } from '../risk/risk-gate.js';
import type { AutoTriggers } from '../risk/auto-triggers.js';
import type { RiskContextView } from '../risk/risk-context.js';
import type { OperatorControls, SymbolPauses } from '../operator/operator-controls.js';
import type { LearningLoop } from '../learning/learning-loop.js';
import type { SampleRecorder } from '../learning/sample-recorder.js';
import type { KernelParts } from './kernel-parts.js';
import type { JournalWriter } from './journal-writer.js';
import type { OrderManager } from './order-manager.js';
import type { TradeTracker } from './trade-tracker.js';
import type { MemoryHolder } from './strategy-host.js';
import type { AccountTruth } from './account-truth.js';
import type { DataEntitlements } from './data-entitlements.js';
import type { SessionRecovery } from './session-recovery.js';
import type { StrategyRoster } from './strategy-roster.js';

/** The ports a session runs against, as the composition root got them from the adapters. */
export interface KernelPorts {
  clock: Clock;
  feed: MarketDataFeed;
  broker: IBrokerAdapter;
  journal: Journal;
  memoryStore: MemoryStore;
}

/**
 * The kernel object graph of one session, built by `composeKernel` (core/di/compose-kernel.ts) and handed whole to
 * the SessionEngine, which only runs the session's lifecycle over it.
 */
export interface Kernel extends KernelPorts {
  parts: KernelParts;
  journalWriter: JournalWriter;
  gate: RiskGate;
  /** Operator and shutdown pauses of entries; read by the trading gate and the risk context. */
  pauses: SymbolPauses;
  tracker: TradeTracker;
  memory: MemoryHolder;
  /** Broker equity, ledger-vs-broker positions, clock skew (docs/tws-account-and-reconciliation.md). */
  account: AccountTruth;
  entitlements: DataEntitlements;
  risk: RiskContextView;
  triggers: AutoTriggers;
  /** Restart recovery and checkpoints; null in replay (replays never carry state). */
  recovery: SessionRecovery | null;
  orders: OrderManager;
  controls: OperatorControls;
  /** Training samples of every trigger (core/learning): real trades and ghost brackets. */
  samples: SampleRecorder;
  /** The learning loop (core/learning), when a learner other than `none` is configured. */
  learning: LearningLoop | null;
  strategies: StrategyRoster;
}
