import type { DepthEvent, FeedStatusEvent, QuoteEvent, StreamKind, TradeEvent } from '../core/domain/market.js';
import type { ErrorCode } from '../core/domain/error-codes.js';
import type { Micros } from '../core/domain/units.js';
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
  'feed.entitlement': { symbol: string; stream: StreamKind; verdict: 'failed' | 'warning'; code: ErrorCode; ibCode: number | null; reason: string };
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
}

export const MarketDataFeed = createToken<MarketDataFeed>('MarketDataFeed');
