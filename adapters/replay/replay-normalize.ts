import {
  QUOTE_FLAG_CROSSED,
  QUOTE_FLAG_LOCKED,
  QUOTE_FLAG_MISSING_ASK,
  QUOTE_FLAG_MISSING_BID,
  type QuoteEvent,
  type TradeEvent,
} from '../../core/domain/market.js';

// Card FEED-20/21/22 (docs/conformance-cards.md#feed-20) normalization, done in place on the reader's flyweights (nothing is allocated
// unless an anomaly has to be described). Each check returns null when the event may be delivered, else why it may not.

const DERIVED = QUOTE_FLAG_CROSSED | QUOTE_FLAG_LOCKED | QUOTE_FLAG_MISSING_BID | QUOTE_FLAG_MISSING_ASK;

const isCount = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

/**
 * A missing side (IB sends −1, some sources 0) becomes price 0 and size 0 with its missing flag; the kit accepts
 * 0 for "null" because `QuoteEvent.bid` is a `Price`. Crossed and locked are flagged, never repaired. Any other
 * negative or non-integer value rejects the whole quote.
 */
export function normalizeQuote(q: QuoteEvent): string | null {
  let flags = q.flags & ~DERIVED;
  if (q.bid === -1 || q.bid === 0) {
    q.bid = 0;
    q.bidSize = 0;
    flags |= QUOTE_FLAG_MISSING_BID;
  } else if (!isCount(q.bid)) return `quote bid ${q.bid}`;
  else if (!isCount(q.bidSize)) return `quote bidSize ${q.bidSize}`;
  if (q.ask === -1 || q.ask === 0) {
    q.ask = 0;
    q.askSize = 0;
    flags |= QUOTE_FLAG_MISSING_ASK;
  } else if (!isCount(q.ask)) return `quote ask ${q.ask}`;
  else if (!isCount(q.askSize)) return `quote askSize ${q.askSize}`;
  if (q.bid > 0 && q.ask > 0) {
    if (q.bid > q.ask) flags |= QUOTE_FLAG_CROSSED;
    else if (q.bid === q.ask) flags |= QUOTE_FLAG_LOCKED;
  }
  q.flags = flags;
  return null;
}

/** A print needs a positive integer price and size. */
export function checkTrade(t: TradeEvent): string | null {
  if (!Number.isSafeInteger(t.price) || t.price <= 0) return `print price ${t.price}`;
  if (!Number.isSafeInteger(t.size) || t.size <= 0) return `print size ${t.size}`;
  return null;
}

/**
 * The side of a print the source left open, from the quote that prevailed when it arrived (0 = that side is
 * missing): at or above the ask a buyer lifted it, at or below the bid a seller hit it, inside the spread nobody
 * can tell. Recomputed on replay, so a recording gives the same sides every time.
 */
export function inferAggressor(t: TradeEvent, bid: number, ask: number): void {
  if (t.aggressorSource === 'venue') return;
  t.aggressor = ask > 0 && t.price >= ask ? 'buy' : bid > 0 && t.price <= bid ? 'sell' : 'unknown';
}
