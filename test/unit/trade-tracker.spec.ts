import { expect } from 'chai';
import { TradeTracker } from '../../core/engine/trade-tracker.js';

describe('TradeTracker', () => {
  it('closes a round trip with exact integer PnL net of commission and counts the day', () => {
    const t = new TradeTracker();
    expect(t.applyFill('s', 'X', 't1', 'buy', 100, 500_000, 10_000, 1, 'entry')).to.equal(null);
    expect(t.applyFill('s', 'X', 't1', 'sell', 50, 501_000, 5_000, 2, 'take-profit')).to.equal(null);
    const closed = t.applyFill('s', 'X', 't1', 'sell', 50, 499_000, 5_000, 3, 'stop-loss');
    expect(closed).to.include({
      tradeId: 't1',
      side: 'long',
      quantity: 100,
      entryPrice: 500_000,
      exitPrice: 500_000,
      grossPnl: 0,
      commission: 20_000,
      netPnl: -20_000,
      exitReason: 'stop-loss',
    });
    expect(t.tradesToday).to.equal(1);
    expect(t.consecutiveLosses).to.equal(1);
    expect(t.lastStopOutAt('X')).to.equal(3);
    expect(t.entriesToday('X')).to.equal(1);
  });

  it('a fill larger than the position closes the trade and opens the rest the other way, as the ledger does', () => {
    const t = new TradeTracker();
    t.applyFill('s', 'X', 't1', 'buy', 50, 500_000, 0, 1, 'entry');
    const closed = t.applyFill('s', 'X', 't1', 'sell', 100, 499_000, 0, 2, 'kill-switch');
    expect(closed).to.include({ tradeId: 't1', side: 'long', quantity: 50 });
    expect(t.current('s', 'X')).to.include({ side: 'short', quantity: 50 });
  });

  it('tracks shorts and resets the loss streak on a win', () => {
    const t = new TradeTracker();
    t.applyFill('s', 'X', 't1', 'buy', 10, 100, 0, 1, '');
    t.applyFill('s', 'X', 't1', 'sell', 10, 90, 0, 2, 'exit');
    expect(t.consecutiveLosses).to.equal(1);
    t.applyFill('s', 'X', 't2', 'sell', 10, 100, 0, 3, '');
    const closed = t.applyFill('s', 'X', 't2', 'buy', 10, 90, 0, 4, 'take-profit');
    expect(closed).to.include({ side: 'short', grossPnl: 100, netPnl: 100 });
    expect(t.consecutiveLosses).to.equal(0);
    expect(t.tradesToday).to.equal(2);
  });
});
