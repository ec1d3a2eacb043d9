import { expect } from 'chai';
import type { OrderBook } from '../../core/domain/order-book.js';
import lmp, { FEATURE_NAMES, LmpStrategy } from '../../strategies/lmp/index.js';
import { $, FakeContext, T0, makeBook, params, setBook, status, trade } from './lmp-fixtures.spec.js';
import type { LmpParamsInput } from '../../strategies/lmp/params.js';

const STEP = 100_000; // 100 ms

/** Drives a strategy through time: every 100 ms, prints first, then an end-of-batch book. */
class Scenario {
  readonly ctx: FakeContext;
  readonly s: LmpStrategy;
  readonly book: OrderBook;
  t = T0;

  constructor(over: Partial<LmpParamsInput> = {}) {
    // Fixed 2-tick stop buffer and no value/share caps, so the size follows the risk formula alone.
    this.ctx = new FakeContext(params({ stopBufferMinTicks: 2, stopBufferMaxTicks: 2, maxPositionValue: 1e7, maxShares: 1e6, ...over }));
    this.s = lmp.create(this.ctx) as LmpStrategy;
    this.book = makeBook([[20, 600]], [[20.01, 100]]);
  }

  /** One step: best bid `bid` (cents ladder of 5 rows), ask one tick above, optional shelf, one print. */
  step(bid: number, print: { side: 'buy' | 'sell'; size: number } | null, shelf?: { price: number; size: number }): void {
    this.t += STEP;
    this.ctx.clock.advanceTo(this.t);
    const bids: Array<[number, number]> = [];
    for (let i = 0; i < 5; i++) {
      const p = Math.round((bid - i * 0.01) * 100) / 100;
      bids.push([p, shelf !== undefined && Math.abs(p - shelf.price) < 1e-9 ? shelf.size : i === 0 ? 600 : 500]);
    }
    const ask = Math.round((bid + 0.01) * 100) / 100;
    const asks: Array<[number, number]> = [0, 1, 2, 3, 4].map((i) => [Math.round((ask + i * 0.01) * 100) / 100, 100]);
    if (print !== null) {
      const tr = trade(this.t, print.side === 'buy' ? ask : bid, print.size, print.side);
      this.s.onTrade(tr, this.book);
    }
    const ev = setBook(this.book, bids, asks, this.t);
    this.s.onBook(this.book, ev);
  }

  /** Impulse $20.00 → $20.20 over 30 s with buyers lifting the ask. */
  impulse(): void {
    for (let k = 1; k <= 300; k++) this.step(20 + Math.floor(k / 15) * 0.01, { side: 'buy', size: 100 });
  }

  /** Pullback to one tick above a $20.12 shelf of 3000 shares, sellers hitting the bid. */
  pullback(): void {
    for (let k = 1; k <= 60; k++)
      this.step(20.2 - Math.min(7, Math.floor(k / 8)) * 0.01, { side: 'sell', size: 100 }, { price: 20.12, size: 3000 });
  }

  /** Tape recovers at the shelf: larger buys at the ask, bid holding at $20.13. */
  recover(steps: number): void {
    for (let k = 0; k < steps; k++) this.step(20.13, { side: 'buy', size: 300 }, { price: 20.12, size: 3000 });
  }

  /** Impulse, pullback, recovery, and the entry filled whole: long its quantity (the position too). */
  filledEntry(): number {
    this.impulse();
    this.pullback();
    this.recover(40);
    const q = this.ctx.submits[0]!.quantity;
    this.s.onOrder({ type: 'filled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST', qty: q, price: $(20.13) });
    this.ctx.positionValue = { symbol: 'TEST', quantity: q, averagePrice: $(20.13), realizedPnl: 0 };
    return q;
  }

  entries(): number {
    return this.ctx.submits.filter((i) => i.kind === 'entry').length;
  }
}

describe('LMP strategy (synthetic day)', () => {
  it('subscribes to depth and tape with the configured levels', () => {
    const sc = new Scenario({ levels: 12 });
    expect(sc.s.subscriptions()).to.deep.equal([{ symbol: 'TEST', streams: ['depth', 'tape'], levels: 12 }]);
    expect(lmp.id).to.equal('lmp');
    expect(lmp.apiVersion).to.equal(1);
  });

  it('impulse → pullback to a persistent shelf → tape recovery gives exactly one bracket entry with correct size and levels', () => {
    const sc = new Scenario();
    sc.impulse();
    expect(sc.s.phase).to.equal('armed');
    expect(sc.entries()).to.equal(0);
    sc.pullback();
    expect(sc.entries(), 'no entry before the tape recovers').to.equal(0);
    sc.recover(40);
    expect(sc.entries()).to.equal(1);
    expect(sc.ctx.submits).to.have.length(1);
    const intent = sc.ctx.submits[0]!;
    // limit = min(ask 20.14, shelf 20.12 + 1 tick) = 20.13; stop = min(swing low 20.13, shelf 20.12) − 2 ticks.
    expect(intent).to.include({ symbol: 'TEST', kind: 'entry', side: 'buy', type: 'limit', limitPrice: $(20.13), stopLoss: $(20.1) });
    expect(intent.takeProfit).to.equal($(20.19)); // +2R, R = $0.03
    expect(intent.quantity).to.equal(Math.floor(($(100_000) * 0.0025) / $(0.03))); // 8333
    expect(sc.s.phase).to.equal('pending');
    const entry = sc.ctx.decisions.find((d) => d.stage === 'entry')!;
    expect(entry.outcome).to.equal('sent');
    expect(entry.intentId).to.equal('lmp-i1');
    expect(entry.tradeId).to.equal('lmp-t1');
    for (const g of ['shelfPersistent', 'shelfProximity', 'tapeRecovered', 'retracementMin', 'retracementMax', 'size'])
      expect(entry.gates[g]!.pass, g).to.equal(true);
    expect(entry.note).to.match(/tp1 201600/);
    const stages = sc.ctx.decisions.map((d) => `${d.stage}:${d.outcome}`);
    expect(stages).to.include('setup:armed');
  });

  it('an armed setup rides out a spread spike shorter than spreadBreachSec and disarms on a longer one', () => {
    const sc = new Scenario();
    sc.impulse();
    expect(sc.s.phase).to.equal('armed');
    // Ask 10 ticks away (limit $0.03) for `steps` × 100 ms, then back to one tick.
    const wide = (steps: number): void => {
      for (let k = 0; k < steps; k++) {
        sc.t += STEP;
        sc.ctx.clock.advanceTo(sc.t);
        const ev = setBook(
          sc.book,
          [
            [20.2, 600],
            [20.19, 500],
            [20.18, 500],
            [20.17, 500],
            [20.16, 500],
          ],
          [
            [20.3, 100],
            [20.31, 100],
            [20.32, 100],
            [20.33, 100],
            [20.34, 100],
          ],
          sc.t,
        );
        sc.s.onBook(sc.book, ev);
      }
    };
    wide(5);
    sc.step(20.2, { side: 'buy', size: 100 });
    expect(sc.s.phase, 'a 0.5 s spike is tolerated').to.equal('armed');
    expect(
      sc.ctx.decisions.map((d) => `${d.stage}:${d.outcome}`),
      'no disarm, no re-arm',
    ).to.not.include('setup:disarmed:spread');
    wide(15);
    expect(sc.s.phase, 'a 1.5 s breach disarms').to.equal('scanning');
    expect(sc.ctx.decisions.map((d) => `${d.stage}:${d.outcome}`)).to.include('setup:disarmed:spread');
  });

  it('manages the trade: snapshots, TP1 scale-out with a break-even stop, TP2 close, exit snapshot', () => {
    const sc = new Scenario();
    const q = sc.filledEntry();
    expect(sc.s.phase).to.equal('long');
    expect(sc.ctx.snapshots.map((x) => x.label)).to.deep.equal(['T-3s', 'T-1s', 'entry']);
    const entrySnap = sc.ctx.snapshots[2]!.features;
    for (const name of FEATURE_NAMES) expect(entrySnap, name).to.have.property(name);
    expect(entrySnap.entryPrice).to.equal($(20.13));
    expect(entrySnap.stopPrice).to.equal($(20.1));
    expect(sc.ctx.snapshots[0]!.features.shelfPrice).to.equal($(20.12));
    sc.recover(50);
    expect(sc.ctx.snapshots.map((x) => x.label)).to.include('+5s');
    // Up to TP1 (+1R = 20.16): half sold at the bid, bracket children cancelled, stop at break-even on the rest.
    for (let k = 0; k < 3; k++) sc.step(20.14 + k * 0.01, { side: 'buy', size: 300 }, { price: 20.12, size: 3000 });
    expect(sc.ctx.cancels).to.deep.equal(['lmp-i1.sl', 'lmp-i1.tp']);
    const exits = sc.ctx.submits.filter((i) => i.kind === 'exit');
    expect(exits).to.have.length(2);
    expect(exits[0]).to.include({ side: 'sell', type: 'limit', quantity: Math.floor(q / 2), limitPrice: $(20.16), reason: 'lmp-tp1' });
    expect(exits[1]).to.include({ side: 'sell', type: 'stop', quantity: q - Math.floor(q / 2), triggerPrice: $(20.13) });
    // Up to TP2 (+2R = 20.19): the rest is closed.
    for (let k = 0; k < 3; k++) sc.step(20.17 + k * 0.01, { side: 'buy', size: 300 }, { price: 20.12, size: 3000 });
    expect(sc.ctx.closes).to.deep.equal([{ symbol: 'TEST', reason: 'lmp-tp2' }]);
    expect(sc.s.phase).to.equal('exiting');
    sc.s.onTradeClosed({
      tradeId: 'lmp-t1',
      strategyId: 'lmp',
      symbol: 'TEST',
      side: 'long',
      quantity: q,
      entryPrice: $(20.13),
      exitPrice: $(20.175),
      entryTime: T0,
      exitTime: sc.t,
      grossPnl: 1,
      commission: 0,
      netPnl: 1,
      exitReason: 'lmp-tp2',
    });
    expect(sc.ctx.snapshots.at(-1)!.label).to.equal('exit');
    expect(sc.s.phase).to.equal('scanning');
    expect(sc.ctx.decisions.filter((d) => d.stage === 'exit').map((d) => d.outcome)).to.deep.equal(['tp1', 'tp2']);
  });

  it("TP1 after the bracket's take-profit sold part of the position scales out only what is still held", () => {
    const sc = new Scenario();
    const q = sc.filledEntry();
    // The take-profit child filled part of the position on prints at its price while the bid stayed below TP1.
    const left = q - 600;
    sc.ctx.positionValue = { symbol: 'TEST', quantity: left, averagePrice: $(20.13), realizedPnl: 0 };
    sc.recover(50);
    for (let k = 0; k < 3; k++) sc.step(20.14 + k * 0.01, { side: 'buy', size: 300 }, { price: 20.12, size: 3000 });
    const exits = sc.ctx.submits.filter((i) => i.kind === 'exit');
    expect(exits.map((e) => e.quantity)).to.deep.equal([Math.floor(left / 2), left - Math.floor(left / 2)]);
    expect(
      exits.reduce((n, e) => n + e.quantity, 0),
      'never more than is held',
    ).to.equal(left);
  });

  it('time stop: +0.5R not reached within the time stop closes the trade', () => {
    const sc = new Scenario({ timeStopSec: 60 });
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    sc.s.onOrder({ type: 'filled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST', qty: 100, price: $(20.13) });
    sc.recover(599);
    expect(sc.ctx.closes).to.have.length(0);
    sc.recover(2);
    expect(sc.ctx.closes).to.deep.equal([{ symbol: 'TEST', reason: 'lmp-time-stop' }]);
  });

  it('an unfilled entry is cancelled when the tape weakens after the cancel delay, then the phase resets on the cancel', () => {
    const sc = new Scenario();
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    for (let k = 0; k < 40; k++) sc.step(20.13, { side: 'sell', size: 500 }, { price: 20.12, size: 3000 });
    expect(sc.ctx.cancels).to.deep.equal(['lmp-i1.p']);
    expect(sc.ctx.decisions.filter((d) => d.stage === 'cancel').map((d) => d.outcome)).to.deep.equal(['weakened']);
    sc.s.onOrder({ type: 'cancelled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST' });
    expect(sc.s.phase).to.equal('scanning');
  });

  it('a risk denial is a value: recorded, then no new intent during the back-off', () => {
    const sc = new Scenario();
    sc.ctx.deny = true;
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    expect(sc.entries()).to.equal(1);
    expect(sc.ctx.decisions.find((d) => d.stage === 'entry')!.outcome).to.equal('denied');
    expect(sc.s.phase).to.equal('scanning');
  });

  it('a halt excludes the name: no entry while halted nor during the cooldown after resume', () => {
    const sc = new Scenario();
    sc.impulse();
    sc.s.onStatus(status(sc.t, 'halted'));
    expect(sc.s.phase).to.equal('scanning');
    sc.pullback();
    sc.s.onStatus(status(sc.t, 'resumed'));
    sc.recover(100);
    expect(sc.entries()).to.equal(0);
    expect(sc.ctx.decisions.some((d) => d.outcome === 'excluded:halted')).to.equal(true);
    expect(sc.ctx.decisions.some((d) => d.stage === 'skip' && d.outcome === 'blocked:feedHealthy')).to.equal(true);
  });

  it('outside the session window nothing arms', () => {
    const sc = new Scenario();
    sc.t = Date.UTC(2024, 2, 14, 16, 0) * 1000; // 12:00 New York
    sc.ctx.clock.advanceTo(sc.t);
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    expect(sc.entries()).to.equal(0);
    expect(sc.ctx.decisions[0]).to.include({ stage: 'skip', outcome: 'blocked:session' });
  });

  it('early exit: an imbalance flip while long closes at once through ctx.close', () => {
    const sc = new Scenario();
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    sc.s.onOrder({ type: 'filled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST', qty: 100, price: $(20.13) });
    sc.recover(5);
    expect(sc.ctx.closes).to.have.length(0);
    // Asks pile up: top-5 ask volume far above the bids → imbalance < +0.05.
    sc.t += STEP;
    sc.ctx.clock.advanceTo(sc.t);
    const ev = setBook(
      sc.book,
      [
        [20.13, 600],
        [20.12, 3000],
        [20.11, 500],
      ],
      [
        [20.14, 3000],
        [20.15, 3000],
        [20.16, 3000],
      ],
      sc.t,
    );
    sc.s.onBook(sc.book, ev);
    expect(sc.ctx.closes).to.deep.equal([{ symbol: 'TEST', reason: 'lmp-imbalance-flip' }]);
    const exit = sc.ctx.decisions.find((d) => d.stage === 'exit')!;
    expect(exit.outcome).to.equal('imbalance-flip');
    expect(exit.gates.imbalance!.pass).to.equal(false);
  });

  it('without a trade-closed event the exiting phase falls back to scanning once the position is flat', () => {
    const sc = new Scenario({ timeStopSec: 5 });
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    sc.s.onOrder({ type: 'filled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST', qty: 100, price: $(20.13) });
    sc.recover(60);
    expect(sc.s.phase).to.equal('exiting');
    sc.recover(310);
    expect(sc.s.phase).to.not.equal('exiting');
    expect(sc.ctx.decisions.some((d) => d.stage === 'closed' && d.outcome === 'assumed-flat')).to.equal(true);
  });

  it('a losing trade starts the cooldown after stop: no new setup for 3 minutes', () => {
    const sc = new Scenario();
    sc.impulse();
    sc.pullback();
    sc.recover(40);
    sc.s.onOrder({ type: 'filled', coid: 'lmp-i1.p', intentId: 'lmp-i1', tradeId: 'lmp-t1', symbol: 'TEST', qty: 100, price: $(20.13) });
    sc.s.onTradeClosed({
      tradeId: 'lmp-t1',
      strategyId: 'lmp',
      symbol: 'TEST',
      side: 'long',
      quantity: 100,
      entryPrice: $(20.13),
      exitPrice: $(20.1),
      entryTime: T0,
      exitTime: sc.t,
      grossPnl: -$(3),
      commission: 0,
      netPnl: -$(3),
      exitReason: 'stop-loss',
    });
    expect(sc.s.phase).to.equal('scanning');
    sc.recover(20);
    expect(sc.ctx.decisions.at(-1)).to.include({ stage: 'skip', outcome: 'blocked:cooldown' });
  });

  it('replays deterministically: the same events give the same intents and decisions', () => {
    const run = (): unknown => {
      const sc = new Scenario();
      sc.impulse();
      sc.pullback();
      sc.recover(40);
      return { submits: sc.ctx.submits, decisions: sc.ctx.decisions };
    };
    expect(run()).to.deep.equal(run());
  });
});
