import type { MarketEvent, QuoteEvent, TradeEvent, DepthEvent } from '../../core/domain/market.js';
import { Sfc32 } from '../../core/domain/random.js';
import type { Micros, Price } from '../../core/domain/units.js';

/**
 * Where the fake TWS gets its market from: an async iterable of Harvester market events in time order. Event time is
 * `exchTime ?? recvTime`; the server paces on it (wall speed × `speed`) through its {@link FakeTwsClock}.
 */
export interface FakeMarketSource {
  events(): AsyncIterable<MarketEvent>;
  /**
   * The symbols this market lists, when the source knows them: the server then resolves only these (error 200 for
   * any other, as TWS answers for a symbol it does not know), unless `contracts` is given.
   */
  readonly symbols?: readonly string[];
}

/** The synthetic market prints a trade at least this often (event time), so a tape subscriber hears one within 5 s. */
export const MAX_TRADE_GAP_US = 2_000_000;

/**
 * The server's own notion of time. Injected so tests are not timing-fragile: {@link StepClock} never waits, the wall
 * clock (CLI) really sleeps.
 */
export interface FakeTwsClock {
  nowMicros(): Micros;
  /** Resolves after `micros` of this clock's time. */
  sleep(micros: Micros): Promise<void>;
}

/** Real time: the CLI and sim-live runs. Lives in test/, so the wall-clock rule for core does not apply. */
export const wallClock: FakeTwsClock = {
  nowMicros: () => Date.now() * 1000,
  // unref: a long gap in a recording must not keep a stopped server's process alive.
  sleep: (micros) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.round(micros / 1000))).unref()),
};

/** A clock that jumps instead of waiting; `sleep` yields to the event loop once so sockets can flush. */
export class StepClock implements FakeTwsClock {
  constructor(private now: Micros = 1_767_268_800_000_000) {}
  nowMicros(): Micros {
    return this.now;
  }
  set(now: Micros): void {
    if (now > this.now) this.now = now;
  }
  sleep(micros: Micros): Promise<void> {
    this.now += Math.max(0, micros);
    return new Promise((resolve) => setImmediate(resolve));
  }
}

/** A fixed list of events, e.g. written inline by a test. */
export function scriptedMarket(events: readonly MarketEvent[]): FakeMarketSource {
  return {
    async *events() {
      yield* events;
    },
  };
}

/** Adapts any (async) iterable — a replay reader, a generator — to a market source. */
export function iterableMarket(make: () => AsyncIterable<MarketEvent> | Iterable<MarketEvent>): FakeMarketSource {
  return {
    async *events() {
      yield* make();
    },
  };
}

export interface SyntheticMarketOptions {
  symbol: string;
  seed: number;
  /** Epoch micros of the first event. */
  start: Micros;
  /** Number of steps; each step is one quote, a price-keyed depth batch and sometimes a trade. */
  steps: number;
  /** Mid price at start, in Price units. */
  mid: Price;
  /** Tick size in Price units. */
  tick: Price;
  /** Micros between steps. */
  interval: Micros;
}

/**
 * A seeded random walk with a 5-level price-keyed book: deterministic per seed, for the CLI and for tests that
 * need a lively market without a recording.
 */
export function syntheticMarket(o: SyntheticMarketOptions): FakeMarketSource {
  return {
    symbols: [o.symbol],
    async *events() {
      const rng = new Sfc32(o.seed);
      // Forced prints draw from their own stream, so the walk and its own trades stay what they were for a seed.
      const forced = new Sfc32(o.seed ^ 0x7a9e);
      let lastTrade = -Infinity;
      let mid = o.mid;
      let seq = 0;
      let prevBid = -1;
      let prevAsk = -1;
      for (let i = 0; i < o.steps; i++) {
        const t = o.start + i * o.interval;
        const r = rng.next();
        mid += r < 0.3 ? -o.tick : r > 0.7 ? o.tick : 0;
        const bid = mid - o.tick;
        const ask = mid + o.tick;
        const base = { symbol: o.symbol, epoch: 1, recvTime: t, exchTime: t };
        // Re-publish the book only when the touch moves: delete the old levels, insert five new ones per side.
        if (bid !== prevBid || ask !== prevAsk) {
          const batch: DepthEvent[] = [
            {
              ...base,
              seq: ++seq,
              kind: 'depth',
              side: 'bid',
              position: -1,
              operation: 'clear',
              price: 0,
              size: 0,
              marketMaker: '',
              endOfBatch: false,
            },
          ];
          for (let l = 0; l < 5; l++) {
            batch.push(depth(base, ++seq, 'bid', bid - l * o.tick, 100 * (1 + rng.int(0, 5))));
            batch.push(depth(base, ++seq, 'ask', ask + l * o.tick, 100 * (1 + rng.int(0, 5))));
          }
          batch[batch.length - 1]!.endOfBatch = true;
          yield* batch;
          prevBid = bid;
          prevAsk = ask;
        }
        const quote: QuoteEvent = {
          ...base,
          seq: ++seq,
          kind: 'quote',
          bid,
          ask,
          bidSize: 100 * (1 + rng.int(0, 5)),
          askSize: 100 * (1 + rng.int(0, 5)),
          flags: 0,
        };
        yield quote;
        if (rng.next() < 0.4) {
          const buy = rng.next() < 0.5;
          const trade: TradeEvent = {
            ...base,
            seq: ++seq,
            kind: 'trade',
            price: buy ? ask : bid,
            size: 100 * (1 + rng.int(0, 3)),
            aggressor: buy ? 'buy' : 'sell',
            aggressorSource: 'venue',
          };
          lastTrade = t;
          yield trade;
        } else if (t - lastTrade >= MAX_TRADE_GAP_US) {
          // TWS's tape on a listed stock is never silent for long; a quiet walk would read as a dead tape line.
          const buy = forced.next() < 0.5;
          lastTrade = t;
          yield {
            ...base,
            seq: ++seq,
            kind: 'trade',
            price: buy ? ask : bid,
            size: 100,
            aggressor: buy ? 'buy' : 'sell',
            aggressorSource: 'venue',
          } satisfies TradeEvent;
        }
      }
    },
  };
}

function depth(
  base: { symbol: string; epoch: number; recvTime: Micros; exchTime: Micros },
  seq: number,
  side: 'bid' | 'ask',
  price: Price,
  size: number,
): DepthEvent {
  return { ...base, seq, kind: 'depth', side, position: -1, operation: 'insert', price, size, marketMaker: '', endOfBatch: false };
}
