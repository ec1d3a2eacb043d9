import { expect } from 'chai';
import { OrderBook } from '../../core/domain/order-book.js';
import type { Aggressor, DepthEvent, FeedStatus, FeedStatusEvent, TradeEvent } from '../../core/domain/market.js';
import type { Position } from '../../core/domain/orders.js';
import { Sfc32 } from '../../core/domain/random.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { DecisionRecord, IntentResult, StrategyContext, StrategyIntent, TriggerRecord } from '../../ports/strategy.js';
import { compileParams, lmpParams, type LmpConfig, type LmpParams, type LmpParamsInput } from '../../strategies/lmp/params.js';

/** Shared helpers for the LMP specs (this file is a spec so that it lives under the LMP test paths). */

export const SYM = 'TEST';
export const T0 = Date.UTC(2024, 2, 14, 14, 0, 0) * 1000; // 10:00 New York (EDT), inside the session
export const S = 1_000_000;
export const $ = (d: number): number => Math.round(d * 10_000);

export function params(over: Partial<LmpParamsInput> = {}): LmpParams {
  return lmpParams.parse({ symbol: SYM, ...over });
}

export function config(over: Partial<LmpParamsInput> = {}): LmpConfig {
  return compileParams(params(over));
}

type Levels = ReadonlyArray<readonly [number, number]>;

function depth(side: 'bid' | 'ask', operation: DepthEvent['operation'], price: number, size: number, t: number, end: boolean): DepthEvent {
  return {
    kind: 'depth',
    symbol: SYM,
    seq: 0,
    epoch: 1,
    recvTime: t,
    exchTime: t,
    side,
    position: -1,
    operation,
    price,
    size,
    marketMaker: '',
    endOfBatch: end,
  };
}

/** Replace the whole book with the given levels ([price in dollars, size]); returns the last (end-of-batch) event. */
export function setBook(book: OrderBook, bids: Levels, asks: Levels, t = 0): DepthEvent {
  book.apply(depth('bid', 'clear', 0, 0, t, false));
  for (const [p, s] of bids) book.apply(depth('bid', 'insert', $(p), s, t, false));
  for (const [p, s] of asks) book.apply(depth('ask', 'insert', $(p), s, t, false));
  const last = depth('ask', 'update', $(asks[0]![0]), asks[0]![1], t, true);
  book.apply(last);
  return last;
}

export function makeBook(bids: Levels, asks: Levels, topN = 5): OrderBook {
  const book = new OrderBook(SYM, { maxLevels: 20, topN });
  setBook(book, bids, asks);
  return book;
}

export function trade(t: number, price: number, size: number, aggressor: Aggressor = 'unknown'): TradeEvent {
  return {
    kind: 'trade',
    symbol: SYM,
    seq: 0,
    epoch: 1,
    recvTime: t,
    exchTime: t,
    price: $(price),
    size,
    aggressor,
    aggressorSource: aggressor === 'unknown' ? 'inferred' : 'venue',
  };
}

export function status(t: number, s: FeedStatus): FeedStatusEvent {
  return { kind: 'status', symbol: SYM, seq: 0, epoch: 1, recvTime: t, exchTime: t, status: s, reason: 'test' };
}

/** A StrategyContext that records what the strategy does; `submit` answers `sent` unless `deny` is set. */
export class FakeContext implements StrategyContext<LmpParams> {
  readonly strategyId = 'lmp';
  readonly clock: ManualClock;
  readonly log = { debug: (): void => {}, info: (): void => {}, warn: (): void => {} };
  readonly random = new Sfc32(1);
  readonly submits: StrategyIntent[] = [];
  readonly cancels: string[] = [];
  readonly closes: Array<{ symbol: string; reason: string }> = [];
  readonly decisions: DecisionRecord[] = [];
  readonly triggers: TriggerRecord[] = [];
  readonly snapshots: Array<{ tradeId: string; label: string; features: Readonly<Record<string, number>> }> = [];
  equityValue = $(100_000);
  deny = false;
  positionValue: Position | undefined;
  private n = 0;
  books = new Map<string, OrderBook>();

  constructor(
    readonly params: LmpParams,
    start = T0,
  ) {
    this.clock = new ManualClock(start);
  }

  book(symbol: string): OrderBook | undefined {
    return this.books.get(symbol);
  }
  position(): Position | undefined {
    return this.positionValue;
  }
  equity(): number {
    return this.equityValue;
  }
  submit(intent: StrategyIntent): IntentResult {
    this.submits.push(intent);
    const intentId = `lmp-i${++this.n}`;
    if (this.deny) {
      return {
        status: 'denied',
        intentId,
        decision: { action: 'reject', reasons: [{ code: 'RISK.DENIED', limit: 'test', observed: 1, threshold: 0 }], warnings: [] },
      };
    }
    const bracket = intent.stopLoss !== undefined && intent.takeProfit !== undefined;
    const coids = bracket ? [`${intentId}.p`, `${intentId}.sl`, `${intentId}.tp`] : [`${intentId}.p`];
    return { status: 'sent', intentId, coids, tradeId: intent.kind === 'entry' ? 'lmp-t1' : 'lmp-t1' };
  }
  cancel(coid: string): void {
    this.cancels.push(coid);
  }
  close(symbol: string, reason: string): IntentResult | null {
    this.closes.push({ symbol, reason });
    return { status: 'sent', intentId: `lmp-c${++this.n}`, coids: [`lmp-c${this.n}.p`], tradeId: 'lmp-t1' };
  }
  decide(record: DecisionRecord): void {
    this.decisions.push(record);
  }
  snapshot(tradeId: string, label: string, features: Readonly<Record<string, number>>): void {
    this.snapshots.push({ tradeId, label, features });
  }
  trigger(record: TriggerRecord): void {
    this.triggers.push(record);
  }
  memory(): null {
    return null;
  }
}

describe('LMP test fixtures', () => {
  it('setBook builds a price-keyed book with the given levels', () => {
    const book = makeBook(
      [
        [10, 100],
        [9.99, 200],
      ],
      [[10.01, 300]],
    );
    expect(book.bestBid).to.equal($(10));
    expect(book.bestAsk).to.equal($(10.01));
    expect(book.topVolume('bid')).to.equal(300);
    setBook(book, [[10.02, 5]], [[10.03, 7]]);
    expect(book.bestBid).to.equal($(10.02));
    expect(book.levels('bid')).to.equal(1);
  });

  it('params carry the roadmap defaults', () => {
    const p = params();
    expect(p.minPrice).to.equal(2);
    expect(p.maxPrice).to.equal(50);
    expect(p.minImbalance).to.equal(0.2);
    expect(p.minTapeImbalance).to.equal(0.15);
    expect(p.tapeWindowSec).to.equal(5);
    expect(p.shelfK).to.equal(2.5);
    expect(p.shelfPersistenceSec).to.equal(1.5);
    expect(p.riskFraction).to.equal(0.0025);
    expect(p.session).to.deep.equal({ start: '09:30', end: '11:15' });
    expect(() => lmpParams.parse({})).to.throw();
    expect(() => lmpParams.parse({ symbol: 'X', topN: 12, levels: 10 })).to.throw(/topN/);
    expect(() => lmpParams.parse({ symbol: 'X', bogus: 1 })).to.throw();
  });
});
