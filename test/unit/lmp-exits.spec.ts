import { expect } from 'chai';
import { entryLevels } from '../../strategies/lmp/entry.js';
import { type PositionState, breakEven, entryCancelSignal, exitSignal, exitingAction } from '../../strategies/lmp/exits.js';
import { type LiveState, emptyLiveState } from '../../strategies/lmp/gates.js';
import { positionSize } from '../../strategies/lmp/sizing.js';
import { $, S, T0, config } from './lmp-fixtures.spec.js';

function live(over: Partial<LiveState> = {}): LiveState {
  return Object.assign(
    emptyLiveState(),
    {
      now: T0 + 10 * S,
      inSession: true,
      bestBid: $(20.02),
      bestAsk: $(20.03),
      spread: $(0.01),
      spreadLimit: $(0.03),
      mid: $(20.025),
      imbalance: 0.3,
      tapeImbalance: 0.2,
      shelfPresent: true,
      shelfPrice: $(19.99),
    },
    over,
  );
}

function position(over: Partial<PositionState> = {}): PositionState {
  return {
    entryPrice: $(20),
    filledAt: T0,
    stop: $(19.96),
    risk: $(0.04),
    tp1: $(20.04),
    tp2: $(20.08),
    scaled: false,
    maxBid: $(20.03),
    spreadBreachSince: 0,
    bidBefore: $(20.02),
    ...over,
  };
}

describe('LMP while a close is out (exiting)', () => {
  it('waits until the confirm time, then closes again while shares are held and stops waiting only when flat', () => {
    expect(exitingAction(254, T0, T0 + 30 * S)).to.equal('wait');
    expect(exitingAction(254, T0 + 30 * S, T0 + 30 * S), 'a remainder is closed, never sat on').to.equal('close-remainder');
    expect(exitingAction(0, T0 + 31 * S, T0 + 30 * S)).to.equal('assume-flat');
  });
});

describe('LMP exits', () => {
  const c = config();

  it('no exit while microstructure holds and targets are not reached', () => {
    expect(exitSignal(live(), position(), false, c)).to.equal(null);
  });

  it('imbalance below +0.05 exits immediately', () => {
    expect(exitSignal(live({ imbalance: 0.049 }), position(), false, c)).to.equal('imbalance-flip');
    expect(exitSignal(live({ imbalance: 0.05 }), position(), false, c)).to.equal(null);
  });

  it('tape below −0.10 exits immediately', () => {
    expect(exitSignal(live({ tapeImbalance: -0.11 }), position(), false, c)).to.equal('tape-flip');
    expect(exitSignal(live({ tapeImbalance: -0.1 }), position(), false, c)).to.equal(null);
  });

  it('a spread breach exits only after it lasted more than 1 s', () => {
    const s = live({ spread: $(0.05) });
    expect(exitSignal(s, position({ spreadBreachSince: s.now - 1 * S }), false, c)).to.equal(null);
    expect(exitSignal(s, position({ spreadBreachSince: s.now - 1 * S - 1 }), false, c)).to.equal('spread-breach');
  });

  it('shelf gone with the bid stepping down ≥ 2 ticks within 1 s exits; either alone does not', () => {
    const s = live({ bestBid: $(20) });
    expect(exitSignal(s, position({ bidBefore: $(20.02) }), true, c)).to.equal('shelf-gone-bid-down');
    expect(exitSignal(s, position({ bidBefore: $(20.01) }), true, c)).to.equal(null);
    expect(exitSignal(s, position({ bidBefore: $(20.02) }), false, c)).to.equal(null);
  });

  it('TP1 at +1R once, then TP2 at +2R or the break-even stop', () => {
    expect(exitSignal(live({ bestBid: $(20.04) }), position(), false, c)).to.equal('tp1');
    expect(exitSignal(live({ bestBid: $(20.06) }), position({ scaled: true }), false, c)).to.equal(null);
    expect(exitSignal(live({ bestBid: $(20.08) }), position({ scaled: true }), false, c)).to.equal('tp2');
    expect(exitSignal(live({ bestBid: $(20) }), position({ scaled: true }), false, c)).to.equal('breakeven-stop');
    expect(breakEven(position(), config({ breakEvenBufferTicks: 1 }))).to.equal($(20.01));
  });

  it('time stop when +0.5R was not reached within the time stop', () => {
    const at = (sec: number): LiveState => live({ now: T0 + sec * S });
    expect(exitSignal(at(74.9), position({ maxBid: $(20.01) }), false, c)).to.equal(null);
    expect(exitSignal(at(75), position({ maxBid: $(20.01) }), false, c)).to.equal('time-stop');
    expect(exitSignal(at(75), position({ maxBid: $(20.02) }), false, c)).to.equal(null); // +0.5R reached once
  });

  it('an unfilled entry is cancelled after 2–4 s only if microstructure weakened, and always after the max wait', () => {
    const sub = T0;
    expect(entryCancelSignal(live({ now: T0 + 2.9 * S, imbalance: 0 }), sub, true, c)).to.equal(null);
    expect(entryCancelSignal(live({ now: T0 + 3 * S }), sub, true, c)).to.equal(null);
    expect(entryCancelSignal(live({ now: T0 + 3 * S, imbalance: 0.1 }), sub, true, c)).to.equal('weakened');
    expect(entryCancelSignal(live({ now: T0 + 3 * S, tapeImbalance: -0.01 }), sub, true, c)).to.equal('weakened');
    expect(entryCancelSignal(live({ now: T0 + 3 * S }), sub, false, c)).to.equal('weakened');
    expect(entryCancelSignal(live({ now: T0 + 10 * S }), sub, true, c)).to.equal('max-wait');
  });
});

describe('LMP entry levels', () => {
  const base = { tick: 100, stopBufferMinTicks: 1, stopBufferMaxTicks: 3, tp1R: 1, tp2R: 2 };

  it('limit at min(ask1, shelf + 1 tick), stop below swing low / shelf by a volatility buffer, TP at +1R/+2R', () => {
    const lv = entryLevels({ ...base, bestAsk: $(20.02), shelfPrice: $(19.99), swingLow: $(19.99), volatilityTicks: 0.4 });
    expect(lv.limit).to.equal($(20));
    expect(lv.bufferTicks).to.equal(1);
    expect(lv.stop).to.equal($(19.98));
    expect(lv.risk).to.equal($(0.02));
    expect(lv.tp1).to.equal($(20.02));
    expect(lv.tp2).to.equal($(20.04));
    const tight = entryLevels({ ...base, bestAsk: $(20), shelfPrice: $(19.99), swingLow: $(19.98), volatilityTicks: 7 });
    expect(tight.limit).to.equal($(20));
    expect(tight.bufferTicks).to.equal(3);
    expect(tight.stop).to.equal($(19.95));
  });
});

describe('LMP sizing', () => {
  it('shares = floor(equity · r / stop distance)', () => {
    const s = positionSize({
      equity: $(100_000),
      riskFraction: 0.0025,
      entry: $(20),
      stop: $(19.97),
      maxPositionValue: $(1e6),
      maxShares: 1e6,
    });
    expect(s.riskBudget).to.equal($(250));
    expect(s.shares).to.equal(8333);
    expect(s.boundBy).to.equal('risk');
  });

  it('is capped by max position value and max shares', () => {
    const byValue = positionSize({
      equity: $(100_000),
      riskFraction: 0.0025,
      entry: $(20),
      stop: $(19.97),
      maxPositionValue: $(25_000),
      maxShares: 1e6,
    });
    expect(byValue.shares).to.equal(1250);
    expect(byValue.boundBy).to.equal('maxPositionValue');
    const byShares = positionSize({
      equity: $(100_000),
      riskFraction: 0.0025,
      entry: $(20),
      stop: $(19.97),
      maxPositionValue: $(25_000),
      maxShares: 1000,
    });
    expect(byShares.shares).to.equal(1000);
    expect(byShares.boundBy).to.equal('maxShares');
  });

  it('a stop at or above the entry sizes zero', () => {
    expect(
      positionSize({ equity: $(100_000), riskFraction: 0.0025, entry: $(20), stop: $(20), maxPositionValue: $(25_000), maxShares: 10 })
        .shares,
    ).to.equal(0);
  });
});
