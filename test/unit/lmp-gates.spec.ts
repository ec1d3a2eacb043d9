import { expect } from 'chai';
import { bookImbalance, spreadLimit } from '../../strategies/lmp/features.js';
import {
  type LiveState,
  SETUP_GATES,
  TRIGGER_GATES,
  UNIVERSE_GATES,
  emptyLiveState,
  firstFailing,
  gateRecord,
} from '../../strategies/lmp/gates.js';
import { $, config, makeBook } from './lmp-fixtures.spec.js';

/** A state where every universe, setup and trigger gate passes; each test breaks one thing. */
function good(): LiveState {
  return Object.assign(emptyLiveState(), {
    now: 1,
    inSession: true,
    broken: false,
    bestBid: $(20),
    bestAsk: $(20.01),
    crossed: false,
    spread: $(0.01),
    spreadLimit: $(0.03),
    mid: $(20.005),
    topBid: 3000,
    topAsk: 1000,
    imbalance: 0.5,
    tapeImbalance: 0.3,
    relativeVolume: Number.NaN,
    vwap: $(19.9),
    impulseTicks: 20,
    retracement: 0.4,
    shelfPresent: true,
    shelfPersistent: true,
    shelfPrice: $(19.99),
    shelfSizeRatio: 3,
    shelfPersistenceSec: 2,
    shelfDistanceTicks: 1,
    replenishments: 0,
  });
}

describe('LMP gates', () => {
  const c = config();

  it('all gates pass on a good state', () => {
    const s = good();
    expect(firstFailing(UNIVERSE_GATES, s, c)).to.equal(null);
    expect(firstFailing(SETUP_GATES, s, c)).to.equal(null);
    expect(firstFailing(TRIGGER_GATES, s, c)).to.equal(null);
  });

  const cases: Array<[string, readonly { name: string }[], Partial<LiveState>]> = [
    ['session', UNIVERSE_GATES, { inSession: false }],
    ['feedHealthy', UNIVERSE_GATES, { broken: true }],
    ['bookReady', UNIVERSE_GATES, { crossed: true }],
    ['priceMin', UNIVERSE_GATES, { mid: $(1.99) }],
    ['priceMax', UNIVERSE_GATES, { mid: $(50.01) }],
    ['spread', UNIVERSE_GATES, { spread: $(0.04) }],
    ['liquidity', UNIVERSE_GATES, { topBid: 200, topAsk: 200 }],
    ['relativeVolume', UNIVERSE_GATES, { relativeVolume: 2.9 }],
    ['impulse', SETUP_GATES, { impulseTicks: 9 }],
    ['impulseIntact', SETUP_GATES, { retracement: 0.56 }],
    ['aboveVwap', SETUP_GATES, { vwap: $(20.1) }],
    ['imbalance', SETUP_GATES, { imbalance: 0.19 }],
    ['tape', SETUP_GATES, { tapeImbalance: 0.14 }],
    ['retracementMin', TRIGGER_GATES, { retracement: 0.29 }],
    ['retracementMax', TRIGGER_GATES, { retracement: 0.56 }],
    ['holdsVwapOrShelf', TRIGGER_GATES, { vwap: $(20.5), shelfPresent: false }],
    ['shelfPersistent', TRIGGER_GATES, { shelfPersistent: false }],
    ['shelfProximity', TRIGGER_GATES, { shelfDistanceTicks: 3 }],
    ['imbalanceHolds', TRIGGER_GATES, { imbalance: 0.19 }],
    ['tapeRecovered', TRIGGER_GATES, { tapeImbalance: -0.01 }],
  ];
  for (const [name, list, change] of cases) {
    it(`${name} fails alone and is named in the record`, () => {
      const s = Object.assign(good(), change);
      expect(firstFailing(list as never, s, c)?.name).to.equal(name);
      const rec = gateRecord(s, c, list as never);
      expect(rec[name]!.pass).to.equal(false);
      for (const [k, v] of Object.entries(rec))
        if (k !== name && !(name.startsWith('price') && k.startsWith('price'))) expect(v.pass, k).to.equal(true);
    });
  }

  it('relative volume without a baseline is reported as n/a and not enforced', () => {
    const rec = gateRecord(good(), c, UNIVERSE_GATES);
    expect(rec.relativeVolume).to.deep.equal({ value: 'n/a', threshold: 3, pass: true });
  });

  it('replenishment is enforced only when required', () => {
    const s = Object.assign(good(), { replenishments: 1 });
    expect(firstFailing(SETUP_GATES, s, c)).to.equal(null);
    expect(firstFailing(SETUP_GATES, s, config({ requireReplenishment: true }))?.name).to.equal('replenishment');
    s.replenishments = 2;
    expect(firstFailing(SETUP_GATES, s, config({ requireReplenishment: true }))).to.equal(null);
  });

  it('the VWAP condition may be switched off', () => {
    const s = Object.assign(good(), { vwap: $(25) });
    expect(firstFailing(SETUP_GATES, s, config({ requireAboveVwap: false }))).to.equal(null);
  });

  it('spread limit is max($0.03, 0.08 % of mid)', () => {
    // mid $20: 0.0008 · 20 = $0.016 < $0.03 → $0.03; mid $50: $0.04.
    expect(spreadLimit($(40), $(0.03), 0.0008)).to.equal($(0.03));
    expect(spreadLimit($(100), $(0.03), 0.0008)).to.equal($(0.04));
  });

  it('book imbalance over the top N', () => {
    const book = makeBook(
      [
        [10, 300],
        [9.99, 300],
        [9.98, 9999],
      ],
      [
        [10.01, 100],
        [10.02, 100],
      ],
      2,
    );
    expect(bookImbalance(book)).to.be.closeTo((600 - 200) / 800, 1e-12);
    expect(bookImbalance(makeBook([[10, 100]], [[10.01, 100]]))).to.equal(0);
  });

  it('records carry values and thresholds', () => {
    const rec = gateRecord(good(), c, UNIVERSE_GATES, SETUP_GATES, TRIGGER_GATES);
    expect(rec.imbalance).to.deep.equal({ value: 0.5, threshold: 0.2, pass: true });
    expect(rec.spread).to.deep.equal({ value: $(0.01), threshold: $(0.03), pass: true });
    expect(rec.shelfPersistent!.threshold).to.equal(1.5);
    expect(Object.keys(rec)).to.have.length(UNIVERSE_GATES.length + SETUP_GATES.length + TRIGGER_GATES.length);
  });
});
