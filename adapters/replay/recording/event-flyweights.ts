import type {
  Aggressor,
  BookSide,
  DepthEvent,
  DepthOperation,
  FeedStatus,
  FeedStatusEvent,
  QuoteEvent,
  TradeEvent,
} from '../../../core/domain/market.js';
import type { Micros, Price, Quantity } from '../../../core/domain/units.js';

/*
 * The replay loop's reused event objects, one class per kind, rather than object literals built by spreading a shared
 * base. On Node 20 a spread expression gives its results one hidden class for its first nine calls and a new one on
 * every call after that, so from the tenth playback in one process (a bench run, a sweep worker's days) every
 * function on the market path deoptimised on "wrong map" at its first read of the event, then ran polymorphic at
 * about half speed for the rest of the process (bench/RESULTS.md, "The ninth playback"). A class's instances take their shape from its constructor,
 * the same for every playback. Fields keep the literals' order and initial values, so an event reads, prints and
 * serialises exactly as before; exchTime starts as a number, not null, because a field that has held null stores
 * every later double as a new heap number (16 bytes per event, bench/alloc-profile.ts).
 */

/** The fields every event kind shares, first in every flyweight as they were first in the literals. */
abstract class FlyweightBase {
  symbol: string;
  seq = 0;
  epoch = 1;
  recvTime: Micros = 0;
  exchTime: Micros | null = 0;

  constructor(symbol: string) {
    this.symbol = symbol;
  }
}

class DepthFlyweight extends FlyweightBase implements DepthEvent {
  readonly kind = 'depth';
  side: BookSide = 'bid';
  position = -1;
  operation: DepthOperation = 'update';
  price: Price = 0;
  size: Quantity = 0;
  marketMaker = '';
  endOfBatch = false;
}

class TradeFlyweight extends FlyweightBase implements TradeEvent {
  readonly kind = 'trade';
  price: Price = 0;
  size: Quantity = 0;
  aggressor: Aggressor = 'unknown';
  aggressorSource: 'venue' | 'inferred' = 'inferred';
}

class QuoteFlyweight extends FlyweightBase implements QuoteEvent {
  readonly kind = 'quote';
  bid: Price = 0;
  bidSize: Quantity = 0;
  ask: Price = 0;
  askSize: Quantity = 0;
  flags = 0;
}

class StatusFlyweight extends FlyweightBase implements FeedStatusEvent {
  readonly kind = 'status';
  status: FeedStatus = 'trading';
  reason = '';
}

/** Reused event objects: `decodeAt` fills one of them and returns it (no allocation per event). */
export interface Flyweights {
  depth: DepthEvent;
  trade: TradeEvent;
  quote: QuoteEvent;
  status: FeedStatusEvent;
}

export function createFlyweights(symbol: string): Flyweights {
  return {
    depth: new DepthFlyweight(symbol),
    trade: new TradeFlyweight(symbol),
    quote: new QuoteFlyweight(symbol),
    status: new StatusFlyweight(symbol),
  };
}
