import {
  QUOTE_FLAG_CROSSED,
  QUOTE_FLAG_DELAYED,
  QUOTE_FLAG_LOCKED,
  QUOTE_FLAG_MISSING_ASK,
  QUOTE_FLAG_MISSING_BID,
  type QuoteEvent,
} from '../../../core/domain/market.js';
import type { Micros } from '../../../core/domain/units.js';
import { MALFORMED, MISSING_PRICE, TICK, quotePrice, shareSize } from '../mapping/market-data.js';

/**
 * One L1 quote built from reqMktData ticks (cards FEED-01, 20 a, 21; docs/conformance-cards.md#feed-01). TWS sends bid, bid size, ask and
 * ask size as separate ticks and marks no end of a quote, so the ticks of one socket read (one event-loop turn) are staged and
 * committed together at the feed's end-of-turn flush, or when a price repeats within the read (the source's next
 * quote): one source quote is one `quote.updated`, never a half-applied one pairing a new ask with an old bid.
 *
 * A turn with a malformed value (NaN, a negative size, a negative price other than IB's −1) is dropped as a whole and
 * counted: the last good quote stands. A missing side (−1, or 0 before the open) is price 0 and size 0 with its
 * missing flag; crossed and locked are flagged, never repaired. The emitted event is one object reused per
 * subscription (listeners copy what they keep, per the port).
 */
export class TwsQuoteBuilder {
  /** Committed values; 0 = missing side. */
  bid = 0;
  bidSize = 0;
  ask = 0;
  askSize = 0;
  /** The stream was downgraded to delayed data (10167 or delayed tick types): every quote carries the flag. */
  delayed = false;
  /** Why the last 'malformed' flush dropped its turn. */
  lastBad = '';
  readonly out: QuoteEvent;
  private sBid = 0;
  private sBidSize = 0;
  private sAsk = 0;
  private sAskSize = 0;
  private staged = false;
  /** Which prices this turn already set: a second one starts the next quote (see `repeats`). */
  private seenBid = false;
  private seenAsk = false;
  private bad: string | null = null;
  private recvAt: Micros = 0;

  constructor(symbol: string) {
    this.out = { kind: 'quote', symbol, bid: 0, bidSize: 0, ask: 0, askSize: 0, flags: 0, seq: 0, epoch: 1, recvTime: 0, exchTime: null };
  }

  /** True while ticks wait for the end-of-turn flush. */
  get pending(): boolean {
    return this.staged || this.bad !== null;
  }

  /**
   * True when this tickPrice sets a price the staged quote already has: the source has moved on to its next quote
   * within the same read, so the caller flushes the staged one first (every source quote is delivered). Only prices
   * delimit: IB follows each tickPrice with a duplicate tickSize, so a repeated size is not a new quote.
   */
  repeats(field: number): boolean {
    if (field === TICK.BID || field === TICK.DELAYED_BID) return this.seenBid;
    if (field === TICK.ASK || field === TICK.DELAYED_ASK) return this.seenAsk;
    return false;
  }

  /** A tickPrice. Returns false for tick types that are not part of the quote (last, high, close…). */
  price(field: number, value: unknown, now: Micros): boolean {
    const isBid = field === TICK.BID || field === TICK.DELAYED_BID;
    if (!isBid && field !== TICK.ASK && field !== TICK.DELAYED_ASK) return false;
    this.stage(now);
    if (field >= TICK.DELAYED_BID) this.delayed = true;
    const p = quotePrice(value);
    if (isBid) this.seenBid = true;
    else this.seenAsk = true;
    if (p === MALFORMED) this.bad ??= `${isBid ? 'bid' : 'ask'} price ${String(value)}`;
    else if (isBid) this.sBid = p;
    else this.sAsk = p;
    return true;
  }

  /** A tickSize. Returns false for sizes that are not part of the quote (last size, volume…). */
  size(field: number, value: unknown, now: Micros): boolean {
    const isBid = field === TICK.BID_SIZE || field === TICK.DELAYED_BID_SIZE;
    if (!isBid && field !== TICK.ASK_SIZE && field !== TICK.DELAYED_ASK_SIZE) return false;
    this.stage(now);
    const s = shareSize(value);
    if (s === null) return true; // "not set": no information, keep the staged size
    if (s === MALFORMED) this.bad ??= `${isBid ? 'bid' : 'ask'} size ${String(value)}`;
    else if (isBid) this.sBidSize = s;
    else this.sAskSize = s;
    return true;
  }

  /**
   * Ends the turn. Returns 'emit' with `out` filled (seq and epoch are the caller's), 'malformed' with the reason in
   * `lastBad` (nothing committed), or 'none' when no quote tick came.
   */
  flush(): 'emit' | 'malformed' | 'none' {
    if (!this.pending) return 'none';
    this.staged = this.seenBid = this.seenAsk = false;
    if (this.bad !== null) {
      this.lastBad = this.bad;
      this.bad = null;
      return 'malformed';
    }
    this.bid = this.sBid;
    this.ask = this.sAsk;
    // A missing side has no size: a size left over from before the side vanished would be a phantom quote.
    this.bidSize = this.bid === MISSING_PRICE ? 0 : this.sBidSize;
    this.askSize = this.ask === MISSING_PRICE ? 0 : this.sAskSize;
    const o = this.out;
    o.bid = this.bid;
    o.bidSize = this.bidSize;
    o.ask = this.ask;
    o.askSize = this.askSize;
    o.flags = this.flags();
    o.recvTime = this.recvAt;
    return 'emit';
  }

  /** Forget the committed quote (a new request under a new epoch starts from what the source sends). */
  reset(): void {
    this.bid = this.bidSize = this.ask = this.askSize = 0;
    this.sBid = this.sBidSize = this.sAsk = this.sAskSize = 0;
    this.staged = this.seenBid = this.seenAsk = false;
    this.bad = null;
  }

  private flags(): number {
    let f = this.delayed ? QUOTE_FLAG_DELAYED : 0;
    if (this.bid === MISSING_PRICE) f |= QUOTE_FLAG_MISSING_BID;
    if (this.ask === MISSING_PRICE) f |= QUOTE_FLAG_MISSING_ASK;
    if (this.bid > 0 && this.ask > 0) {
      if (this.bid > this.ask) f |= QUOTE_FLAG_CROSSED;
      else if (this.bid === this.ask) f |= QUOTE_FLAG_LOCKED;
    }
    return f;
  }

  /** First tick of a turn: stage from the committed quote and take the receive time at ingress. */
  private stage(now: Micros): void {
    if (this.staged || this.bad !== null) return;
    this.staged = true;
    this.recvAt = now;
    this.sBid = this.bid;
    this.sBidSize = this.bidSize;
    this.sAsk = this.ask;
    this.sAskSize = this.askSize;
  }
}
