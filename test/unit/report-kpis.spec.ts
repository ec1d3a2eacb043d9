import { expect } from 'chai';
import { promotionDeltas, sessionKpis } from '../../adapters/report/session-kpis.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { TradeRecord } from '../../adapters/report/report-model.js';

const row = (type: JournalEntry['type'], time: number, data: Record<string, unknown>): JournalEntry => ({
  kind: 'event',
  type,
  loopSeq: time,
  time,
  data,
});
const trade = (exitTime: number, netPnl: number, r: number): TradeRecord => ({
  tradeId: `t${exitTime}`,
  symbol: 'ABC',
  side: 'long',
  quantity: 100,
  entryTime: exitTime - 10,
  exitTime,
  entryPrice: 1,
  exitPrice: 1,
  grossPnl: netPnl,
  netPnl,
  commission: 0,
  exitReason: 'x',
  stopPrice: null,
  targetPrice: null,
  plannedRisk: null,
  r,
  entrySlippage: null,
  maePrice: null,
  mfePrice: null,
  maeR: null,
  mfeR: null,
  memoryVersion: null,
  trail: [],
});

describe('report KPIs from journal rows', () => {
  it("counts the learning loop's verdicts and rollbacks, and splits trades before and after each promotion", () => {
    const rows = [
      row('learning.gate', 100, { pass: false, promoted: false, version: 1 }),
      row('learning.gate', 200, { pass: true, promoted: true, version: 2 }),
      row('learning.gate', 250, { pass: true, promoted: false, held: 'rate-limit', version: 3 }),
      row('learning.rollback', 300, { from: 2, to: 0 }),
      row('connection.changed', 0, { from: 'Connecting', to: 'Connected', reason: 'ready' }),
      row('connection.changed', 500, { from: 'Connected', to: 'Reconnecting', reason: 'socket closed' }),
    ];
    const trades = [trade(150, 10_000, 1), trade(220, -20_000, -2), trade(240, 5_000, 0.5)];
    const k = sessionKpis(rows, trades, { start: 0, end: 1_000 });
    expect(k).to.include({
      learningPromotions: 1,
      learningRejections: 1,
      learningRollbacks: 1,
      learningSuccessRate: 0.5,
      disconnects: 1,
      connectionUptimePct: 50,
      maxDrawdown: 20_000,
    });
    const [p] = promotionDeltas(rows, trades);
    expect(p).to.deep.include({ at: 200, version: '2' });
    expect(p!.before).to.deep.equal({ trades: 1, netPnl: 10_000, expectancyR: 1 });
    expect(p!.after).to.deep.equal({ trades: 2, netPnl: -15_000, expectancyR: -0.75 });
  });
});
