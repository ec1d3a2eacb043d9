import type { DepthEvent, FeedStatusEvent, QuoteEvent, StreamKind, TradeEvent } from '../core/domain/market.js';
import type { ErrorCode } from '../core/domain/error-codes.js';
import type { OrderBook } from '../core/domain/order-book.js';
import type { Micros, Price } from '../core/domain/units.js';
import { createToken, type Disposer } from './create-token.js';

export interface LineUsage {
  /** Quote and tape lines (IB counts both against the market-data line budget). */
  lines: { used: number; budget: number };
  /** Depth subscriptions, counted separately (IB allows only a few at once). */
  depth: { used: number; budget: number };
}

export interface SubscriptionHandle {
  readonly symbol: string;
  readonly stream: StreamKind;
  readonly id: number;
}

export type SubscribeResult =
  | { readonly ok: true; readonly handle: SubscriptionHandle }
  | { readonly ok: false; readonly code: ErrorCode; readonly reason: string };

export interface SubscribeOptions {
  /** Depth rows to maintain (1..20); ignored for quote and tape. */
  levels?: number;
}

export interface FeedEvents {
  'quote.updated': QuoteEvent;
  'depth.updated': DepthEvent;
  'trade.printed': TradeEvent;
  'feed.status': FeedStatusEvent;
  'feed.subscribed': { symbol: string; stream: StreamKind; holders: number; usage: LineUsage };
  'feed.refused': { symbol: string; stream: StreamKind; code: ErrorCode; usage: LineUsage };
  'feed.failed': { symbol: string; stream: StreamKind; code: ErrorCode; reason: string };
  'feed.unsubscribed': { symbol: string; stream: StreamKind; usage: LineUsage };
  'feed.stale': { symbol: string; stream: StreamKind; silentFor: Micros; escalated: boolean };
  'feed.resumed': { symbol: string; stream: StreamKind };
  'feed.suspect': { symbol: string; stream: StreamKind; reason: 'crossed' | 'gap' | 'depth-anomaly' | 'clock-skew' };
  'feed.delayed': { symbol: string; stream: StreamKind };
  'feed.interrupted': { reason: string; subscriptions: number };
  'feed.resubscribed': { symbol: string; stream: StreamKind; epoch: number };
  /**
   * The startup data check of one subscription failed or warned (docs/tws-account-and-reconciliation.md): `failed`
   * when the venue refused it (not entitled, delayed only, over what the account allows) or nothing came within the
   * deadline, `warning` for a partial entitlement that keeps the line. `symbol` '*' is account-wide (a configured
   * budget larger than the account allows). A failed check blocks entries in that symbol until `feed.entitlement-ok`.
   */
  'feed.entitlement': {
    symbol: string;
    stream: StreamKind;
    verdict: 'failed' | 'warning';
    code: ErrorCode;
    ibCode: number | null;
    reason: string;
  };
  /** The line's data flowed: its check passed (also after an earlier deadline failure). */
  'feed.entitlement-ok': { symbol: string; stream: StreamKind; reason: string };
  /** Malformed input counted, not fatal: `count` is the running total for this feed. */
  'feed.malformed': { source: string; offset: number; reason: string; count: number };
}

export type FeedEventName = keyof FeedEvents;

export interface PlaybackSummary {
  events: number;
  malformed: number;
  firstTime: Micros | null;
  lastTime: Micros | null;
}

export interface PlaybackOptions {
  /** Called every `progressEvery` events with the count so far (for a progress bar). */
  onProgress?: (events: number, time: Micros) => void;
  progressEvery?: number;
  signal?: AbortSignal;
}

/**
 * A finite source (a recording) that the engine drives on a virtual clock: before each event, the clock is
 * advanced to the event's receive time, so timers (latency, windows, time stops) interleave deterministically.
 */
export interface FeedPlayback {
  run(options?: PlaybackOptions): Promise<PlaybackSummary>;
}

/** Bar lengths a historical request may ask for (seconds); IB's `barSizeSetting` values for intraday work. */
export const HISTORICAL_BAR_SECONDS = [1, 5, 10, 15, 30, 60, 120, 180, 300, 900, 1800, 3600, 86_400] as const;
export type HistoricalBarSeconds = (typeof HISTORICAL_BAR_SECONDS)[number];

/** What the bars aggregate: trade prints, the midpoint, or one side of the quote. */
export type HistoricalWhat = 'trades' | 'midpoint' | 'bid' | 'ask';

export interface HistoricalBarsRequest {
  symbol: string;
  barSeconds: HistoricalBarSeconds;
  /**
   * How far back from `end`, in seconds. A whole number of days (86 400 × n) means n trading sessions, the way IB
   * reads "n D"; anything else is a plain span (at most one day).
   */
  durationSeconds: number;
  /** The last bar ends at or before this Clock time; default the Clock's now. */
  end?: Micros;
  /** Default 'trades'. */
  what?: HistoricalWhat;
  /** Regular trading hours only (default true). */
  rthOnly?: boolean;
}

/** One bar. Prices are integer Price units (ten-thousandths), never decimals. */
export interface HistoricalBar {
  /** Start of the bar, epoch micros on the same scale as the Clock (exchange time, not receive time). */
  time: Micros;
  open: Price;
  high: Price;
  low: Price;
  close: Price;
  /** Shares traded in the bar; null where the source gives none (midpoint, bid, ask bars). */
  volume: number | null;
  /** Volume-weighted average price; null where the source gives none. */
  wap: Price | null;
  /** Trades in the bar; null where the source gives none. */
  count: number | null;
}

/**
 * A historical request never throws for a venue's answer: refusals, pacing and timeouts are values.
 * - `FEED.PACING`: refused before anything was sent because it would break the venue's pacing rules, or the venue
 *   answered with a pacing violation (`ibCode` 162); `retryAfterMs` says when the same request may be sent again.
 * - `FEED.UNKNOWN_SYMBOL`, `FEED.NOT_ENTITLED`, `FEED.NOT_CONNECTED`, `FEED.INVALID_REQUEST`.
 * - `FEED.REQUEST_TIMEOUT`: no end of the result set within the deadline (the request was cancelled; the answer is
 *   unknown, not empty).
 * - `FEED.HISTORICAL_FAILED`: any other venue refusal, with its code.
 */
export type HistoricalBarsResult =
  | { readonly ok: true; readonly symbol: string; readonly barSeconds: HistoricalBarSeconds; readonly bars: readonly HistoricalBar[] }
  | {
      readonly ok: false;
      readonly code: 'FEED.PACING';
      readonly reason: string;
      readonly retryAfterMs: number;
      readonly ibCode: number | null;
    }
  | {
      readonly ok: false;
      readonly code:
        | 'FEED.UNKNOWN_SYMBOL'
        | 'FEED.NOT_ENTITLED'
        | 'FEED.NOT_CONNECTED'
        | 'FEED.INVALID_REQUEST'
        | 'FEED.REQUEST_TIMEOUT'
        | 'FEED.HISTORICAL_FAILED';
      readonly reason: string;
      readonly ibCode: number | null;
    };

/**
 * Historical bars, an optional capability of a feed (`MarketDataFeed.historical`).
 *
 * Invariants:
 * - Bars come in strictly increasing `time`, each `low ≤ open, close ≤ high`, all prices positive integers; none
 *   starts after `end`. An empty list is a valid answer ("no data"), distinct from a timeout.
 * - Pacing is the feed's job: a request that would break the venue's rules is refused locally with `FEED.PACING` and
 *   nothing is sent (for TWS: identical requests within 15 s, 6 or more for one contract and kind within 2 s, more
 *   than 60 in any 10 minutes; docs/tws-adapter.md). A venue-side violation is the same value.
 * - The promise always settles (a deadline bounds it) and never rejects for a venue answer.
 */
export interface HistoricalBars {
  bars(request: HistoricalBarsRequest): Promise<HistoricalBarsResult>;
}

/**
 * Keeping the kernel's depth books, an optional capability of a feed (`MarketDataFeed.books`), so a symbol has one
 * book rather than the kernel's plus the feed's own copy for its depth checks (docs/depth-rows.md#one-book).
 *
 * Contract:
 * - The kernel lends its book of a symbol (`lend`) before it subscribes that symbol's depth, and makes it at least
 *   `capacity` rows deep per side (`OrderBookOptions.capacity`; its view stays at the rows subscribed).
 * - From then on the feed applies each depth row of that symbol to the lent book (`OrderBook.ingest`) right before
 *   it delivers the row, its own rows too (clears, resync snapshots, batch closes), and judges depth quality on that
 *   book (crossed batches, rows beyond the book, anomaly bursts, resyncs). The kernel does not apply the row again;
 *   it counts the book's `flags`.
 * - A feed without the capability keeps its own state, if any; the kernel then applies every row itself.
 */
export interface DepthBookKeeping {
  /** Rows per side the feed's checks need the book to hold (price-keyed sources may be deeper than the view). */
  readonly capacity: number;
  lend(symbol: string, book: OrderBook): void;
}

/**
 * Quotes, L2 depth deltas and tape for subscribed symbols.
 *
 * Invariants (conformance cards FEED, F1–F6):
 * - Every subscription counts against a line budget (depth separately) and is released on `unsubscribe` or
 *   `dispose`; usage never exceeds the budget and equals the number of distinct live (symbol, stream) pairs.
 *   Over budget, `subscribe` refuses locally with `FEED.LINE_BUDGET_EXCEEDED`; nothing is requested.
 * - Within a (subscription, epoch), `seq` starts at 1 and increases by exactly 1; a resubscription opens a new epoch.
 * - Each depth batch ends with exactly one `endOfBatch: true` row.
 * - Prices are positive integers, sizes non-negative integers; `recvTime` never decreases.
 * - No data event follows `feed.unsubscribed` for that subscription.
 * - Market-data events may be reused (flyweights) by the feed: a listener that keeps one must copy it.
 * - Staleness is detected per subscription (`feed.stale`), and malformed input is counted (`feed.malformed`),
 *   never fatal to the session.
 */
export interface MarketDataFeed {
  readonly id: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  dispose(): Promise<void>;
  subscribe(symbol: string, stream: StreamKind, options?: SubscribeOptions): SubscribeResult;
  unsubscribe(handle: SubscriptionHandle): void;
  usage(): LineUsage;
  on<K extends FeedEventName>(event: K, listener: (payload: FeedEvents[K]) => void): Disposer;
  /** Present for finite sources played on a virtual clock (replay); absent for live feeds. */
  readonly playback?: FeedPlayback;
  /**
   * Present when the feed can answer historical bars (the TWS feed); absent when it cannot (replay and simulated
   * feeds hold no bar history). A caller learns the capability by checking for `undefined`, never by a failed call.
   */
  readonly historical?: HistoricalBars;
  /** Present when the feed keeps the kernel's depth books itself (see {@link DepthBookKeeping}). */
  readonly books?: DepthBookKeeping;
}

export const MarketDataFeed = createToken<MarketDataFeed>('MarketDataFeed');
