import type { ManualClock } from '../../../core/engine/virtual-clock.js';
import type { BookSide, StreamKind } from '../../../core/domain/market.js';
import type { Micros, Price, Quantity } from '../../../core/domain/units.js';
import type { MarketDataFeed, SubscriptionHandle } from '../../../ports/market-data-feed.js';
import type { EventRecorder } from '../recorder.js';
import type { CommonSuiteOptions } from '../suite.js';

/** Capability flags of docs/conformance-kit.md#capabilities for a market-data feed. Declared, never detected. */
export interface FeedCapabilities {
  supportsDepth?: boolean;
  supportsTape?: boolean;
  supportsReconnect?: boolean;
  /** Per stream: whether the source supplies its own time (FEED-23 c, FEED-41; docs/conformance-cards.md#feed-23). */
  providesExchangeTime?: { quote?: boolean; depth?: boolean; tape?: boolean };
  isReplay?: boolean;
  isLive?: boolean;
}

export type FeedDriverFeature =
  | 'quote'
  | 'depthRows'
  | 'prints'
  | 'silence'
  | 'gap'
  | 'skew'
  | 'subscriptionErrors'
  | 'delayed'
  | 'bookReset'
  | 'socketDrop'
  | 'upstreamLoss';

/** One IB-style depth row: positions are row indexes, never price keys (docs/tws-adapter.md#depth-rows). */
export interface DepthRow {
  side: BookSide;
  position: number;
  operation: 'insert' | 'update' | 'delete';
  price: Price;
  size: Quantity;
}

/** One tape print; `aggressor` only when the source itself supplies the side. */
export interface PrintSpec {
  price: Price;
  size: Quantity;
  aggressor?: 'buy' | 'sell';
}

/**
 * The source double. `quote` is the minimal feature (with `silence`, which needs no method: the kit simply sends
 * nothing). Every other feature is a method named after it. Values may be invalid on purpose (FEED-21, docs/conformance-cards.md#feed-21):
 * the driver passes them to the source as they are. Methods may be sync or async; the kit awaits them and then settles.
 */
export interface FeedDriver {
  /** The source quotes `symbol` now; −1 marks a missing side, as IB does. */
  quote(symbol: string, bid: number, bidSize: number, ask: number, askSize: number): void | Promise<void>;
  /** One burst of rows; with `splitAt`, the source delivers it in two reads (network or source batches). */
  depthRows?(symbol: string, rows: readonly DepthRow[], options?: { splitAt?: number }): void | Promise<void>;
  prints?(symbol: string, prints: readonly PrintSpec[]): void | Promise<void>;
  /** The source's own sequence for `stream` skips `count` numbers before its next event. */
  gap?(symbol: string, stream: StreamKind, count: number): void | Promise<void>;
  /** Refuse the next subscription of `symbol` as an unknown instrument or as not entitled. */
  subscriptionErrors?(symbol: string, kind: 'unknown' | 'not-entitled'): void | Promise<void>;
  delayed?(symbol: string, stream: StreamKind): void | Promise<void>;
  /** Reset (TWS 317) or halt (TWS 316) the depth book of `symbol`. */
  bookReset?(symbol: string, kind: 'reset' | 'halt'): void | Promise<void>;
  /** Drop the connection with its subscriptions lost, then accept a new one. */
  socketDrop?(): void | Promise<void>;
  /** Report the source unreachable (`lost`), then restored with its data kept (`restored`). */
  upstreamLoss?(phase: 'lost' | 'restored'): void | Promise<void>;
  /** Source-side work that is not on the kit's clock (sockets): awaited after every stimulus. */
  settle?(): Promise<void>;
  /** True when `prints` can carry a side the source itself supplies (FEED-22, last part; docs/conformance-cards.md#feed-22). */
  suppliesAggressor?: boolean;
  [feature: string]: unknown;
}

export interface FeedFixtures {
  symbol: string;
  others: readonly [string, string, string];
  bid: Price;
  bidSize: Quantity;
  ask: Price;
  askSize: Quantity;
  depthLevels: number;
}

export interface FeedTimeouts {
  /** T_stale, µs. The subject must be configured with it. */
  stale: Micros;
}

export interface FeedBudgets {
  lines: number;
  depth: number;
}

export interface FeedCreateContext {
  readonly clock: ManualClock;
  readonly log: (message: string) => void;
  readonly fixtures: FeedFixtures;
  readonly timeouts: FeedTimeouts;
  /**
   * The line budgets this card needs (docs/conformance-kit.md#kit-defaults: L1 3, depth 1; FEED-03: L1 2, depth 1;
   * docs/conformance-cards.md#feed-03).
   */
  readonly budgets: FeedBudgets;
  readonly card: string;
}

export interface FeedSubjectHandle {
  subject: MarketDataFeed;
  driver?: FeedDriver;
  dispose?: () => void | Promise<void>;
}

export interface FeedSuiteOptions extends CommonSuiteOptions {
  create: (ctx: FeedCreateContext) => FeedSubjectHandle | Promise<FeedSubjectHandle>;
  capabilities: FeedCapabilities;
  driverFeatures?: readonly FeedDriverFeature[];
  fixtures?: Partial<FeedFixtures>;
  timeouts?: Partial<FeedTimeouts>;
  startTime?: Micros;
}

/** What a feed card gets. */
export interface FeedRun {
  readonly subject: MarketDataFeed;
  readonly clock: ManualClock;
  readonly rec: EventRecorder;
  readonly fx: FeedFixtures;
  readonly timeouts: FeedTimeouts;
  readonly caps: FeedCapabilities;
  readonly features: ReadonlySet<string>;
  /** Advance the virtual clock by `us` (default 0), firing timers and flushing source I/O on the way. */
  settle(us?: Micros): Promise<void>;
  /** The driver, or a failure naming the missing feature. */
  source(): FeedDriver;
  /** Subscribes and returns the handle; fails the card on a refusal. */
  subscribe(symbol: string, stream: StreamKind): SubscriptionHandle;
  /** A second, fresh subject on its own clock, disposed with the card (FEED-42 compares two runs, docs/conformance-cards.md#feed-42). */
  another(): Promise<FeedRun>;
}

export const FEED_EVENT_NAMES = [
  'quote.updated',
  'depth.updated',
  'trade.printed',
  'feed.status',
  'feed.subscribed',
  'feed.refused',
  'feed.failed',
  'feed.unsubscribed',
  'feed.stale',
  'feed.resumed',
  'feed.suspect',
  'feed.delayed',
  'feed.interrupted',
  'feed.resubscribed',
  'feed.malformed',
] as const;

export const DATA_EVENTS: Readonly<Record<string, StreamKind>> = {
  'quote.updated': 'quote',
  'depth.updated': 'depth',
  'trade.printed': 'tape',
};

export const DEFAULT_FEED_FIXTURES: FeedFixtures = {
  symbol: 'XYZ',
  others: ['ABC', 'DEF', 'GHI'],
  bid: 123400,
  bidSize: 500,
  ask: 123500,
  askSize: 300,
  depthLevels: 5,
};

export const DEFAULT_FEED_TIMEOUTS: FeedTimeouts = { stale: 5_000_000 };
