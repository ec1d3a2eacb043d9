import type { Micros, Price, Quantity } from './units.js';

export type BookSide = 'bid' | 'ask';
export type Aggressor = 'buy' | 'sell' | 'unknown';
export type StreamKind = 'quote' | 'depth' | 'tape';

/**
 * Depth operations. With `position >= 0` they follow IB's row semantics (insert shifts rows below down,
 * delete shifts them up, update replaces in place). With `position === -1` the source is price-keyed
 * (LOBSTER, the generator): the row is located by price; `insert` adds a level, `update` sets its size,
 * `delete` removes it. `clear` empties both sides.
 */
export type DepthOperation = 'insert' | 'update' | 'delete' | 'clear';

/** Fields every market-data event carries (conformance card vocabulary). */
export interface MarketEventBase {
  symbol: string;
  /** Per (subscription, epoch) sequence, starting at 1, +1 per event. */
  seq: number;
  /** Bumped on every resubscription; a new epoch restarts `seq`. */
  epoch: number;
  /** Clock time at which Harvester received the event; never decreases. */
  recvTime: Micros;
  /** Source/exchange time, or null when the source gives none. */
  exchTime: Micros | null;
}

export interface QuoteEvent extends MarketEventBase {
  kind: 'quote';
  bid: Price;
  bidSize: Quantity;
  ask: Price;
  askSize: Quantity;
  /** Bit set of QUOTE_FLAG_* values. */
  flags: number;
}

export const QUOTE_FLAG_CROSSED = 1;
export const QUOTE_FLAG_LOCKED = 2;
export const QUOTE_FLAG_MISSING_BID = 4;
export const QUOTE_FLAG_MISSING_ASK = 8;
export const QUOTE_FLAG_STALE = 16;
export const QUOTE_FLAG_DELAYED = 32;

export interface DepthEvent extends MarketEventBase {
  kind: 'depth';
  side: BookSide;
  /** Row index (0 = best) for row-based sources, -1 for price-keyed sources. */
  position: number;
  operation: DepthOperation;
  price: Price;
  size: Quantity;
  /** IB smart depth market maker / exchange code; '' when none. */
  marketMaker: string;
  /** True on the last row of an atomic batch; strategies read the book only at batch ends. */
  endOfBatch: boolean;
}

export interface TradeEvent extends MarketEventBase {
  kind: 'trade';
  price: Price;
  size: Quantity;
  aggressor: Aggressor;
  aggressorSource: 'venue' | 'inferred';
}

export type FeedStatus = 'trading' | 'halted' | 'resumed' | 'gap' | 'stale' | 'suspect' | 'interrupted' | 'end';

export interface FeedStatusEvent extends MarketEventBase {
  kind: 'status';
  status: FeedStatus;
  reason: string;
}

export type MarketEvent = QuoteEvent | DepthEvent | TradeEvent | FeedStatusEvent;

/** Static facts about a tradable instrument, resolved (qualified) before any request. */
export interface Instrument {
  symbol: string;
  /** Minimum price increment in Price units (100 = $0.01). */
  tick: Price;
  currency: string;
  exchange: string;
  /** IANA zone of the listing exchange (e.g. 'America/New_York'). */
  timeZone: string;
}
