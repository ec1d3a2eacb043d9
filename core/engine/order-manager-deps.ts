import type { BrokerEvents, IBrokerAdapter } from '../../ports/broker-adapter.js';
import type { TrackedOrder } from './order-registry.js';
import type { Clock } from '../../ports/clock.js';
import type { OrderIntent, RiskContext, RiskDecision, RiskReason, TradingState } from '../../ports/risk-policy.js';
import type { StrategyOrderUpdate } from '../../ports/strategy.js';
import type { EventBus } from '../events/event-bus.js';
import type { JournalWriter } from './journal-writer.js';
import type { Ledger } from './ledger.js';
import type { TradeTracker } from './trade-tracker.js';

/** The part of the risk gate the order manager needs (implemented by core/risk/risk-gate.ts). */
export interface RiskGateLike {
  readonly state: TradingState;
  evaluate(intent: OrderIntent, context: RiskContext): RiskDecision;
  monitor(context: RiskContext): void;
}

/** What a restart adds to the broker path: orders of earlier runs, and executions already journaled today. */
export interface RecoveryHooks {
  /** The broker reported an order this process did not send: the order to track, or undefined (external). */
  adopted(p: BrokerEvents['order.adopted']): TrackedOrder | undefined;
  /**
   * True when this execution of this order is already in the journal (a reconciliation replays the day's
   * executions). Keyed by exec id and coid: a simulated venue numbers its executions per process.
   */
  replayedFill(execId: string, coid: string): boolean;
  replayedCommission(execId: string): boolean;
}

export interface OrderManagerDeps {
  broker: IBrokerAdapter;
  gate: RiskGateLike;
  risk: RiskContext;
  clock: Clock;
  bus: EventBus;
  ledger: Ledger;
  tracker: TradeTracker;
  journal: JournalWriter;
  /** Deliver an update to the strategy that owns the order. */
  notify(strategyId: string, update: StrategyOrderUpdate): void;
  /** Short session tag stamped into every orderRef so orders are recognised after a restart. */
  sessionTag: string;
  recovery?: RecoveryHooks;
  /** Hand a broker event to the event loop (queued if the loop is busy). */
  post(task: () => void): void;
  /**
   * Raise the kill switch (never lowers it): an untrusted or overfilled execution (SAFE_MODE), a close that failed
   * too often (HALT). The session engine wires it to the risk gate; without it the event is journaled only.
   */
  escalate?(to: TradingState, reason: RiskReason): void;
}
