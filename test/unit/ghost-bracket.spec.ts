import { expect } from 'chai';
import { GhostBracket, GHOST_NOMINAL_QUANTITY } from '../../core/learning/ghost-bracket.js';
import { buildLabel, forcedExitOf } from '../../core/learning/labels.js';
import type { PlannedBracket } from '../../ports/strategy.js';

const S = 1_000_000;
// Entry 10.00, stop 9.95 (R = 5 ticks), TP1 10.05, TP2 10.10; time stop 60 s unless +0.5R; 10 s to fill.
const bracket = (over: Partial<PlannedBracket> = {}): PlannedBracket => ({
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
  quantity: 200,
  tick: 100,
  ...over,
});

describe("ghost bracket — the trigger's own bracket played on the book, in integers", function () {
  it('fills when the ask reaches the limit, scales out at TP1, exits the rest at TP2', function () {
    const g = new GhostBracket(bracket(), 0);
    expect(g.onBook(99_900, 100_100, 1 * S)).to.equal(false);
    expect(g.phase).to.equal('waiting');
    expect(g.onBook(99_900, 100_000, 2 * S)).to.equal(false);
    expect(g.phase).to.equal('open');
    g.onBook(99_700, 99_800, 3 * S);
    expect(g.onBook(100_500, 100_600, 4 * S)).to.equal(false);
    expect(g.onBook(101_000, 101_100, 5 * S)).to.equal(true);
    const o = g.outcome!;
    // 100 sold at +500, 100 at +1000: 150,000 = 1.5 R of (500 × 200).
    expect(o).to.include({ fillPrice: 100_000, pnl: 150_000, maxAdverse: 300, maxFavourable: 1_000, exitReason: 'tp2', quantity: 200 });
    const label = buildLabel({
      netPnl: o.pnl,
      plannedRisk: 500 * 200,
      maxAdverse: o.maxAdverse,
      maxFavourable: o.maxFavourable,
      riskPerShare: 500,
      timeInTradeMicros: o.closedAt - o.filledAt,
      exitReason: o.exitReason,
      setupReason: 'x',
      forced: null,
      rCap: 2,
    });
    expect(label).to.deep.equal({
      r: 1.5,
      mae: -0.6,
      mfe: 2,
      win: true,
      timeInTrade: 3,
      exitReason: 'tp2',
      setupReason: 'x',
      forced: null,
      capped: false,
    });
  });

  it('stops out at the bid that crosses the stop (a gap fills below it), and moves the stop to break-even after TP1', function () {
    const g = new GhostBracket(bracket(), 0);
    g.onBook(99_900, 100_000, 1 * S);
    expect(g.onBook(99_400, 99_500, 2 * S)).to.equal(true);
    expect(g.outcome).to.include({ pnl: -600 * 200, exitReason: 'stop-loss' });
    const b = new GhostBracket(bracket(), 0);
    b.onBook(99_900, 100_000, 1 * S);
    b.onBook(100_600, 100_700, 2 * S);
    expect(b.onBook(100_000, 100_100, 3 * S)).to.equal(true);
    expect(b.outcome).to.include({ pnl: 100 * 600, exitReason: 'breakeven-stop' });
  });

  it('time stop: +0.5R not reached within the time stop exits at the bid; reached, it does not', function () {
    const g = new GhostBracket(bracket(), 0);
    g.onBook(99_900, 100_000, 1 * S);
    g.onBook(100_200, 100_300, 30 * S);
    expect(g.onBook(100_100, 100_200, 61 * S)).to.equal(true);
    expect(g.outcome).to.include({ pnl: 100 * 200, exitReason: 'time-stop' });
    const h = new GhostBracket(bracket(), 0);
    h.onBook(99_900, 100_000, 1 * S);
    h.onBook(100_250, 100_300, 30 * S);
    expect(h.onBook(100_100, 100_200, 61 * S), '+0.5R (250) was reached').to.equal(false);
  });

  it('an entry the ask never reaches within the wait ends unfilled, without a label', function () {
    const g = new GhostBracket(bracket(), 0);
    expect(g.onBook(99_900, 100_100, 5 * S)).to.equal(false);
    expect(g.onBook(99_900, 100_100, 11 * S)).to.equal(true);
    expect(g.phase).to.equal('unfilled');
    expect(g.outcome).to.equal(null);
  });

  it('a trigger the strategy could not size is played with a nominal quantity; force() ends it at the book', function () {
    const g = new GhostBracket(bracket({ quantity: 0 }), 0);
    expect(g.quantity).to.equal(GHOST_NOMINAL_QUANTITY);
    g.onBook(99_900, 100_000, 1 * S);
    g.force(99_800, 2 * S, 'session-end');
    expect(g.outcome).to.include({ pnl: -200 * GHOST_NOMINAL_QUANTITY, exitReason: 'session-end' });
  });
});

describe('labels — forced exits flagged and capped', function () {
  it('caps |R|, MAE and MFE of a kill-switch or session-end exit, not of a normal one', function () {
    const base = {
      plannedRisk: 1_000,
      maxAdverse: 400,
      maxFavourable: 10,
      riskPerShare: 100,
      timeInTradeMicros: 2 * S,
      exitReason: 'kill-switch',
      setupReason: 's',
      rCap: 2,
    };
    expect(buildLabel({ ...base, netPnl: -3_500, forced: 'kill-switch' })).to.include({
      r: -2,
      mae: -2,
      capped: true,
      forced: 'kill-switch',
      win: false,
    });
    expect(buildLabel({ ...base, netPnl: -3_500, forced: null })).to.include({ r: -3.5, mae: -4, capped: false, forced: null });
    expect(buildLabel({ ...base, netPnl: 500, forced: 'session-end' })).to.include({ r: 0.5, capped: false, win: true });
  });

  it('names the forced exit from the close reason and the session state', function () {
    expect(forcedExitOf('lmp-session-end', false, false)).to.equal('session-end');
    expect(forcedExitOf('kill-switch', true, false)).to.equal('kill-switch');
    expect(forcedExitOf('kill-switch', false, true), 'the shutdown flatten').to.equal('session-end');
    expect(forcedExitOf('stop-loss', true, true)).to.equal(null);
  });
});
