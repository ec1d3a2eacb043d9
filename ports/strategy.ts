import type { BookView } from '../core/domain/book-view.js';
import type { ErrorCode } from '../core/domain/error-codes.js';
import type { DepthEvent, FeedStatusEvent, StreamKind, TradeEvent } from '../core/domain/market.js';
import type { Position } from '../core/domain/orders.js';
import type { Micros, Money, Price, Quantity } from '../core/domain/units.js';
import type { Clock } from './clock.js';
import { createToken } from './create-token.js';
import type { MemoryContent } from './memory-store.js';
import type { OrderIntent, RiskDecision } from './risk-policy.js';

export interface StrategySubscription {
  symbol: string;
  streams: readonly StreamKind[];
  /** Depth rows (1..20). */
  levels?: number;
}

/** An intent as a strategy submits it: the kernel fills in the strategy id, and the intent id when omitted. */
export type StrategyIntent = Omit<OrderIntent, 'strategyId' | 'intentId'> & { intentId?: string };

/** Result of `context.submit`: orders were sent, or risk denied the intent (a value, never an exception). */
export type IntentResult =
  | { readonly status: 'sent'; readonly intentId: string; readonly coids: readonly string[]; readonly tradeId: string | null }
  | { readonly status: 'denied'; readonly intentId: string; readonly decision: RiskDecision }
  | { readonly status: 'rejected'; readonly intentId: string; readonly code: ErrorCode; readonly reason: string };

/** One structured "why": gate values against thresholds, which passed or failed, and what came of it. */
export interface DecisionRecord {
  symbol: string;
  /** e.g. 'setup', 'entry', 'exit', 'cancel', 'skip'. */
  stage: string;
  outcome: string;
  gates: Readonly<Record<string, { value: number | string | boolean; threshold?: number | string; pass: boolean }>>;
  intentId?: string;
  tradeId?: string;
  note?: string;
}

/** An order lifecycle update for one of the strategy's own orders. */
export interface StrategyOrderUpdate {
  type: 'accepted' | 'filled' | 'cancelled' | 'rejected' | 'unknown';
  coid: string;
  intentId: string;
  tradeId: string | null;
  symbol: string;
  /** For fills. */
  qty?: Quantity;
  price?: Price;
  /** Why, for cancels and rejects. */
  reason?: string;
}

export interface ClosedTrade {
  tradeId: string;
  strategyId: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: Quantity;
  entryPrice: Price;
  exitPrice: Price;
  entryTime: Micros;
  exitTime: Micros;
  grossPnl: Money;
  commission: Money;
  netPnl: Money;
  exitReason: string;
  /**
   * Worst and best mark (best bid for a long, best ask for a short) against the average entry while the trade was
   * open, per share in Price units, both ≥ 0 (integers: tracked from the books at each batch end).
   */
  maxAdverse?: Price;
  maxFavourable?: Price;
}

/** The planned bracket of a trigger, in Price units and Clock µs (what a ghost bracket simulates). */
export interface PlannedBracket {
  side: 'long';
  /** Entry limit, stop, TP1, TP2. */
  entry: Price;
  stop: Price;
  tp1: Price;
  tp2: Price;
  /** Share of the position sold at TP1 (the rest moves to a break-even stop at `breakEven`). */
  tp1Fraction: number;
  breakEven: Price;
  /** Exit at market if +timeStopR·R was not reached within `timeStop` µs of the fill. */
  timeStop: Micros;
  timeStopR: number;
  /** An entry not filled within this many µs is abandoned. */
  maxWait: Micros;
  /** The size the strategy would have sent (0 if sizing refused). */
  quantity: Quantity;
  /** Tick size in Price units, for the tick-denominated execution columns (default 100 = $0.01). */
  tick?: Price;
}

/**
 * A trigger: every entry gate passed. Reported whether or not an order went out, so that the learning loop labels
 * each one — a real trade by its fills, one not taken (cap, cooldown, risk denial, filter veto) by a ghost bracket.
 */
export interface TriggerRecord {
  symbol: string;
  /** Unique within the strategy's session; the trade id when an order was sent. */
  triggerId: string;
  taken: boolean;
  /** 'sent', or why not: 'maxEntries', 'cooldown', 'denied', 'rejected', 'filter', 'size', … */
  outcome: string;
  setupReason: string;
  bracket: PlannedBracket;
  /** Columns known at the decision (names prefixed tm3s., tm1s., dec., d3., d1. — ports/feature-spec.ts). */
  features: Readonly<Record<string, number>>;
}

/**
 * The memory a strategy reads (docs/lmp.md#lmp-10). Version 0 is static behaviour (the pinned baseline). `score` is the
 * take/skip filter's P(R > 0) for a record of decision-time columns (names as in TriggerRecord.features), or null
 * when there is no filter or it cannot score the record; `minScore` its cut-off. A strategy applies memory only
 * within its own bounds and records what it applied; memory never places an order.
 */
export interface MemoryView {
  version: number;
  content: MemoryContent;
  checksum?: string;
  score?(features: Readonly<Record<string, number>>): number | null;
  minScore?: number | null;
}

export interface StrategyLog {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Seeded randomness; the only randomness a strategy may use. */
export interface SeededRandom {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxExclusive: number): number;
}

/**
 * Everything a strategy may touch. Plugins receive this, never the container.
 * `submit` routes through the risk chain and the order manager; there is no other way to reach a broker.
 */
export interface StrategyContext<P = unknown> {
  readonly strategyId: string;
  readonly params: Readonly<P>;
  readonly clock: Clock;
  readonly log: StrategyLog;
  readonly random: SeededRandom;
  book(symbol: string): BookView | undefined;
  position(symbol: string): Position | undefined;
  equity(): Money;
  /** `intentId` is allocated by the kernel when omitted. */
  submit(intent: StrategyIntent): IntentResult;
  cancel(coid: string): void;
  /** Flatten the strategy's position in a symbol and cancel its working orders (an exit intent). */
  close(symbol: string, reason: string): IntentResult | null;
  /** Write a structured decision record to the journal. */
  decide(record: DecisionRecord): void;
  /** Store a named feature snapshot (T-3s, entry, +5s…) for a trade, for the learning loop. */
  snapshot(tradeId: string, label: string, features: Readonly<Record<string, number>>): void;
  /** Report a trigger (all entry gates passed), taken or not; the learning loop turns it into a training sample. */
  trigger(record: TriggerRecord): void;
  /** Promoted memory in force now (hot-reloaded between decisions), or null when learning is off. */
  memory(): MemoryView | null;
}

/**
 * A trading strategy instance. Callbacks run on the kernel's event loop, one event at a time; they must not block
 * or read the wall clock. A throwing callback is isolated (it becomes `plugin.error`) and the loop goes on.
 * The book passed to `onBook` is read at end of batch only; keep no reference to market events (flyweights).
 */
export interface Strategy {
  readonly id: string;
  subscriptions(): readonly StrategySubscription[];
  start?(): void | Promise<void>;
  onBook?(book: BookView, event: DepthEvent): void;
  onTrade?(trade: TradeEvent, book: BookView | undefined): void;
  onStatus?(status: FeedStatusEvent): void;
  onOrder?(update: StrategyOrderUpdate): void;
  onTradeClosed?(trade: ClosedTrade): void;
  stop?(): void | Promise<void>;
}

export const Strategy = createToken<Strategy>('Strategy');
