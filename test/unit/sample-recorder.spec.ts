import { expect } from 'chai';
import type { DepthEvent } from '../../core/domain/market.js';
import { EventBus } from '../../core/events/event-bus.js';
import { EventLoop } from '../../core/engine/event-loop.js';
import { JournalWriter } from '../../core/engine/journal-writer.js';
import { Ledger } from '../../core/engine/ledger.js';
import { MarketRouter } from '../../core/engine/market-router.js';
import { TradeTracker } from '../../core/engine/trade-tracker.js';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import { SampleRecorder } from '../../core/learning/sample-recorder.js';
import { sampleFromRow } from '../../core/learning/sample-row.js';
import type { Journal, JournalEntry } from '../../ports/journal.js';
import type { TrainingSample } from '../../ports/learner.js';
import type { PlannedBracket, TriggerRecord } from '../../ports/strategy.js';

const S = 1_000_000;
const bracket: PlannedBracket = {
  side: 'long',
  entry: 100_000,
  stop: 99_500,
  tp1: 100_500,
  tp2: 101_000,
  tp1Fraction: 0.5,
  breakEven: 100_000,
  timeStop: 60 * S,
  timeStopR: 0.5,
  maxWait: 10 * S,
  quantity: 100,
  tick: 100,
};
const trigger = (triggerId: string, taken: boolean, outcome: string): TriggerRecord => ({
  symbol: 'X',
  triggerId,
  taken,
  outcome,
  setupReason: 'test',
  bracket,
  features: { 'dec.imbalance': 0.3, 'tm1s.imbalance': 0.25, 'd1.imbalance': 0.05 },
});

function harness() {
  const clock = new ManualClock(1_000 * S);
  const loop = new EventLoop();
  const bus = new EventBus();
  const router = new MarketRouter(loop, bus, new Ledger(0), 5);
  router.addSymbol('X', 10);
  const tracker = new TradeTracker();
  const rows: JournalEntry[] = [];
  const journal = { append: (_s: string, e: JournalEntry) => rows.push(e) } as unknown as Journal;
  const writer = new JournalWriter(journal, 'sess', loop, clock);
  let halted = false;
  const rec = new SampleRecorder({
    sessionId: 'sess',
    seed: 9,
    clock,
    journal: writer,
    bus,
    router,
    tracker,
    killSwitchEngaged: () => halted,
    syntheticWeight: 0.5,
    forcedExitRCap: 2,
  });
  rec.attach();
  const samples: TrainingSample[] = [];
  rec.onSample((s) => samples.push(s));
  let seq = 0;
  let bid = 0;
  let ask = 0;
  const ev = (side: 'bid' | 'ask', operation: 'insert' | 'delete', price: number, end: boolean): DepthEvent => ({
    kind: 'depth',
    symbol: 'X',
    side,
    position: -1,
    operation,
    price,
    size: 100,
    marketMaker: '',
    endOfBatch: end,
    seq: ++seq,
    epoch: 1,
    recvTime: seq,
    exchTime: seq,
  });
  /** Move the book to one bid and one ask level and end the batch at `t` seconds. */
  const quote = (b: number, a: number, t: number): void => {
    clock.advanceTo(t * S);
    if (bid > 0) router.handleDepth(ev('bid', 'delete', bid, false));
    if (ask > 0) router.handleDepth(ev('ask', 'delete', ask, false));
    router.handleDepth(ev('bid', 'insert', b, false));
    router.handleDepth(ev('ask', 'insert', a, true));
    bid = b;
    ask = a;
  };
  return {
    clock,
    bus,
    tracker,
    rec,
    rows,
    samples,
    quote,
    halt: () => {
      halted = true;
    },
  };
}

describe('SampleRecorder — every trigger becomes a labelled sample', function () {
  it('a denied trigger is labelled by its ghost bracket: synthetic, weighted 0.5, R from the simulated legs', () => {
    const h = harness();
    h.quote(99_900, 100_100, 1_000);
    h.rec.onTrigger('lmp', trigger('i1', false, 'denied'));
    h.quote(99_900, 100_000, 1_001);
    h.quote(99_700, 99_800, 1_002);
    h.quote(100_500, 100_600, 1_003);
    expect(h.samples).to.have.length(0);
    h.quote(101_000, 101_100, 1_005);
    expect(h.samples).to.have.length(1);
    const s = h.samples[0]!;
    expect(s).to.include({
      sampleId: '00000001000000000:9:lmp:i1',
      sessionId: 'sess',
      synthetic: true,
      weight: 0.5,
      decidedAt: 1_000 * S,
      closedAt: 1_005 * S,
    });
    expect(s.label).to.deep.include({ r: 1.5, mae: -0.6, mfe: 2, win: true, exitReason: 'tp2', forced: null });
    expect(s.featureNames.slice(0, 3), 'decision columns sorted, then outcome columns').to.deep.equal([
      'd1.imbalance',
      'dec.imbalance',
      'tm1s.imbalance',
    ]);
    expect(s.features[s.featureNames.indexOf('fill.filled')]).to.equal(1);
    const row = h.rows.find((r) => r.type === 'training.sample')!;
    expect(row.data, 'the journaled form leaves the session id out').to.not.have.property('sessionId');
    expect(sampleFromRow(row, 'sess'), 'and restores it on read').to.deep.equal(s);
  });

  it("a taken trigger is labelled by its trade: R on the planned risk, MAE/MFE from the tracker's marks, markouts from the fill", () => {
    const h = harness();
    h.quote(99_900, 100_100, 1_000);
    h.bus.emit('intent.sent', { intentId: 'n1', strategyId: 'lmp', coids: ['c1', 'c1-sl', 'c1-tp'], tradeId: 't1', at: 1_000 * S });
    h.rec.onTrigger('lmp', trigger('t1', true, 'sent'));
    h.quote(99_900, 100_000, 1_001);
    h.tracker.applyFill('lmp', 'X', 't1', 'buy', 100, 100_000, 100, 1_001 * S, 'entry');
    h.bus.emit('order.filled', { coid: 'c1', qty: 100, price: 100_000, at: 1_001 * S } as never);
    h.quote(99_800, 99_900, 1_003);
    h.quote(100_300, 100_400, 1_007);
    h.quote(100_200, 100_300, 1_020);
    const closed = h.tracker.applyFill('lmp', 'X', 't1', 'sell', 100, 100_200, 100, 1_020 * S, 'lmp-time-stop')!;
    h.bus.emit('trade.closed', closed);
    const s = h.samples[0]!;
    expect(s).to.include({ synthetic: false, weight: 1 });
    // (100_200 − 100_000) × 100 − 200 commission = 19_800 over 500 × 100 planned risk.
    expect(s.label).to.deep.include({ r: 0.396, mae: -0.4, mfe: 0.6, win: true, timeInTrade: 19, exitReason: 'lmp-time-stop' });
    const col = (n: string): number => s.features[s.featureNames.indexOf(n)]!;
    expect(col('p5s.markoutTicks'), 'mid 5 s after the fill, in ticks').to.equal(3.5);
    expect(col('p15s.markoutTicks')).to.equal(2.5);
    expect(col('fill.fillDelaySec')).to.equal(1);
  });

  it('a taken entry cancelled unfilled gives an entry-unfilled sample; a forced exit is flagged and capped', () => {
    const h = harness();
    h.quote(99_900, 100_100, 1_000);
    h.bus.emit('intent.sent', { intentId: 'n2', strategyId: 'lmp', coids: ['c2'], tradeId: 't2', at: 1_000 * S });
    h.rec.onTrigger('lmp', trigger('t2', true, 'sent'));
    h.bus.emit('order.cancelled', { coid: 'c2', filledQty: 0, cancelledQty: 100, reason: 'user', at: 1_004 * S } as never);
    expect(h.samples[0]!.label).to.deep.include({ r: 0, exitReason: 'entry-unfilled' });
    expect(h.samples[0]!.features[h.samples[0]!.featureNames.indexOf('fill.filled')]).to.equal(0);

    h.rec.onTrigger('lmp', trigger('g1', false, 'maxEntries'));
    h.quote(99_900, 100_000, 1_010);
    h.quote(98_000, 98_100, 1_011);
    expect(h.samples[1]!.label, 'a stop gapped through fills at the bid').to.deep.include({
      r: -4,
      exitReason: 'stop-loss',
      forced: null,
      capped: false,
    });

    // A real trade the kill switch flattened at −3 R: flagged, and |R| capped at 2.
    h.bus.emit('intent.sent', { intentId: 'n3', strategyId: 'lmp', coids: ['c3'], tradeId: 't3', at: 1_020 * S });
    h.rec.onTrigger('lmp', trigger('t3', true, 'sent'));
    h.tracker.applyFill('lmp', 'X', 't3', 'buy', 100, 100_000, 0, 1_021 * S, 'entry');
    h.bus.emit('order.filled', { coid: 'c3', qty: 100, price: 100_000, at: 1_021 * S } as never);
    h.halt();
    h.bus.emit('trade.closed', h.tracker.applyFill('lmp', 'X', 't3', 'sell', 100, 98_500, 0, 1_022 * S, 'kill-switch')!);
    expect(h.samples[2]!.label).to.deep.include({ r: -2, mae: -2, forced: 'kill-switch', capped: true });

    // A ghost still open at the end is closed at the book and flagged.
    h.quote(99_900, 100_100, 1_029);
    h.rec.onTrigger('lmp', trigger('g2', false, 'cooldown'));
    h.quote(99_900, 100_000, 1_030);
    h.quote(99_800, 100_100, 1_031);
    h.rec.finish();
    expect(h.samples[3]!.label).to.deep.include({ r: -0.4, exitReason: 'kill-switch', forced: 'kill-switch', capped: false });
    expect(h.rec.counts).to.deep.equal({ real: 2, synthetic: 2, ghostsUnfilled: 0, entriesUnfilled: 1 });
  });
});
