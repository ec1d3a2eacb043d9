import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { DateTime } from 'luxon';
import type { BookView } from '../../core/domain/book-view.js';
import type { BookSide, DepthEvent } from '../../core/domain/market.js';
import lmp, { type LmpStrategy } from '../../strategies/lmp/index.js';
import { FakeContext, params, trade } from './lmp-fixtures.spec.js';
import type { LmpParamsInput } from '../../strategies/lmp/params.js';
import { skipBecause } from '../support/skip.js';

const DIR = path.resolve(import.meta.dirname, '../../../shared/data/lobster/GOOG_2012-06-21_L10');
const END_SEC = 11 * 3600 + 15 * 60; // the LMP session ends at 11:15

/** A BookView over one LOBSTER order-book row (ask p, ask s, bid p, bid s) × 10; top N sums kept on set. */
class RowBook implements BookView {
  readonly symbol = 'TEST';
  private row: number[] = [];
  private sums = { bid: 0, ask: 0 };
  lastRecvTime = 0;
  lastExchTime = 0;
  constructor(readonly topN: number) {}
  private sets = 0;
  changes(): number {
    return this.sets;
  }
  set(row: number[], t: number): void {
    this.sets++;
    this.row = row;
    this.lastRecvTime = t;
    this.lastExchTime = t;
    for (const side of ['bid', 'ask'] as const) {
      let s = 0;
      for (let r = 0; r < this.topN; r++) s += this.sizeAt(side, r);
      this.sums[side] = s;
    }
  }
  private col(side: BookSide, r: number, k: 0 | 1): number {
    const v = this.row[r * 4 + (side === 'ask' ? 0 : 2) + k] ?? 0;
    // LOBSTER pads missing levels with dummy prices (±9999999999) and size 0.
    return r < 10 && v > 0 && v < 9_999_999_999 ? v : 0;
  }
  get bestBid(): number {
    return this.col('bid', 0, 0);
  }
  get bestAsk(): number {
    return this.col('ask', 0, 0);
  }
  get bestBidSize(): number {
    return this.col('bid', 0, 1);
  }
  get bestAskSize(): number {
    return this.col('ask', 0, 1);
  }
  get spread(): number {
    return this.bestBid > 0 && this.bestAsk > 0 ? this.bestAsk - this.bestBid : 0;
  }
  get mid2(): number {
    return this.bestBid > 0 && this.bestAsk > 0 ? this.bestAsk + this.bestBid : 0;
  }
  get crossed(): boolean {
    return this.bestBid > 0 && this.bestAsk > 0 && this.bestBid >= this.bestAsk;
  }
  get maxBidSizeTopN(): number {
    let m = 0;
    for (let r = 0; r < this.topN; r++) m = Math.max(m, this.sizeAt('bid', r));
    return m;
  }
  levels(side: BookSide): number {
    let n = 0;
    while (n < 10 && this.col(side, n, 0) > 0) n++;
    return n;
  }
  priceAt(side: BookSide, r: number): number {
    return this.col(side, r, 0);
  }
  sizeAt(side: BookSide, r: number): number {
    return this.col(side, r, 1);
  }
  topVolume(side: BookSide): number {
    return this.sums[side];
  }
}

async function* lines(file: string): AsyncGenerator<string> {
  const rl = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

async function runMorning(over: Partial<LmpParamsInput>): Promise<FakeContext> {
  const files = fs.readdirSync(DIR);
  const msgFile = path.join(DIR, files.find((f) => f.includes('_message_'))!);
  const bookFile = path.join(DIR, files.find((f) => f.includes('_orderbook_'))!);
  const day = DateTime.fromISO('2012-06-21T00:00', { zone: 'America/New_York' }).toMillis() * 1000;
  // GOOG trades near $580: widen the price range; everything else at the roadmap defaults.
  const ctx = new FakeContext(params({ maxPrice: 1000, ...over }), day + 34_200 * 1_000_000);
  const s = lmp.create(ctx) as LmpStrategy;
  const book = new RowBook(5);
  const ev = { kind: 'depth', symbol: 'TEST', endOfBatch: true } as DepthEvent;
  // A minimal fill model so the phase machine runs through: entry fills when the ask reaches the limit, the
  // bracket stop/target or a close end the trade at the touch.
  let pending: { limit: number; stop: number; tp: number; qty: number; coid: string } | null = null;
  let open: { entry: number; stop: number; tp: number; qty: number; at: number } | null = null;
  let cancels = 0;
  let closes = 0;
  const closeTrade = (exit: number, reason: string, now: number): void => {
    const pnl = (exit - open!.entry) * open!.qty;
    s.onTradeClosed({
      tradeId: 'lmp-t1',
      strategyId: 'lmp',
      symbol: 'TEST',
      side: 'long',
      quantity: open!.qty,
      entryPrice: open!.entry,
      exitPrice: exit,
      entryTime: open!.at,
      exitTime: now,
      grossPnl: pnl,
      commission: 0,
      netPnl: pnl,
      exitReason: reason,
    });
    open = null;
  };
  const msgs = lines(msgFile)[Symbol.asyncIterator]();
  let events = 0;
  for await (const bookLine of lines(bookFile)) {
    const m = (await msgs.next()).value as string;
    const [secS, typeS, , sizeS, priceS, dirS] = m.split(',');
    const sec = Number(secS);
    if (sec >= END_SEC) break;
    const now = day + Math.floor(sec * 1_000_000);
    ctx.clock.advanceTo(now);
    events++;
    const type = Number(typeS);
    if (type === 4 || type === 5) s.onTrade(trade(now, Number(priceS) / 10_000, Number(sizeS), Number(dirS) === 1 ? 'sell' : 'buy'), book);
    book.set(bookLine.split(',').map(Number), now);
    s.onBook(book, ev);
    // Fill model, after the strategy saw the event.
    const last = ctx.submits.at(-1);
    if (last?.kind === 'entry' && pending === null && open === null && s.phase === 'pending') {
      pending = {
        limit: last.limitPrice!,
        stop: last.stopLoss!,
        tp: last.takeProfit!,
        qty: last.quantity,
        coid: `lmp-i${ctx.submits.length}.p`,
      };
    }
    if (pending !== null && ctx.cancels.length > cancels) {
      cancels = ctx.cancels.length;
      s.onOrder({ type: 'cancelled', coid: pending.coid, intentId: '', tradeId: 'lmp-t1', symbol: 'TEST' });
      pending = null;
    } else if (pending !== null && book.bestAsk > 0 && book.bestAsk <= pending.limit) {
      s.onOrder({
        type: 'filled',
        coid: pending.coid,
        intentId: '',
        tradeId: 'lmp-t1',
        symbol: 'TEST',
        qty: pending.qty,
        price: pending.limit,
      });
      open = { entry: pending.limit, stop: pending.stop, tp: pending.tp, qty: pending.qty, at: now };
      pending = null;
    }
    cancels = ctx.cancels.length;
    if (open !== null && ctx.closes.length > closes) {
      closes = ctx.closes.length;
      closeTrade(book.bestBid, ctx.closes.at(-1)!.reason, now);
    } else if (open !== null && book.bestBid > 0 && book.bestBid <= open.stop) closeTrade(open.stop, 'stop-loss', now);
    else if (open !== null && book.bestBid >= open.tp) closeTrade(open.tp, 'take-profit', now);
    closes = ctx.closes.length;
  }
  expect(events).to.be.greaterThan(40_000);
  const byOutcome: Record<string, number> = {};
  for (const d of ctx.decisions) byOutcome[`${d.stage}:${d.outcome}`] = (byOutcome[`${d.stage}:${d.outcome}`] ?? 0) + 1;
  const entries = ctx.submits.filter((i) => i.kind === 'entry').length;
  console.log(
    `    events ${events}, decisions ${ctx.decisions.length}, entries ${entries}, ` +
      `snapshots ${ctx.snapshots.length}, closes [${ctx.closes.map((c) => c.reason).join(' ')}]`,
  );
  console.log(`    ${JSON.stringify(byOutcome)}`);
  return ctx;
}

function check(ctx: FakeContext): void {
  const entries = ctx.submits.filter((i) => i.kind === 'entry');
  for (const d of ctx.decisions) {
    expect(d.symbol).to.equal('TEST');
    for (const g of Object.values(d.gates)) expect(typeof g.pass).to.equal('boolean');
  }
  for (const i of entries) {
    expect(i.type).to.equal('limit');
    expect(i.stopLoss!).to.be.lessThan(i.limitPrice!);
    expect(i.takeProfit!).to.be.greaterThan(i.limitPrice!);
    expect(i.quantity).to.be.greaterThan(0);
    expect(i.quantity * i.limitPrice!).to.be.at.most(25_000 * 10_000);
    expect(i.limitPrice! % 100).to.equal(0);
  }
  for (const snap of ctx.snapshots) for (const v of Object.values(snap.features)) expect(Number.isFinite(v)).to.equal(true);
}

describe('LMP on the real LOBSTER day (GOOG 2012-06-21, 09:30–11:15)', function () {
  this.timeout(60_000);

  before(function () {
    if (!fs.existsSync(DIR)) skipBecause(this, `LOBSTER data not found at ${DIR}`);
  });

  it('roadmap universe: GOOG is mostly excluded (spread, thin top of book), decisions stay well-formed', async () => {
    const ctx = await runMorning({});
    check(ctx);
    expect(ctx.decisions.some((d) => d.outcome === 'blocked:liquidity')).to.equal(true);
  });

  it('loosened universe (liquidity 0, spread $0.50): the full phase machine runs on real data', async () => {
    const ctx = await runMorning({ minTopNSize: 0, maxSpreadAbs: 0.5 });
    check(ctx);
    expect(ctx.submits.filter((i) => i.kind === 'entry').length).to.be.at.least(1);
    expect(ctx.decisions.some((d) => d.stage === 'setup' && d.outcome === 'armed')).to.equal(true);
  });
});
