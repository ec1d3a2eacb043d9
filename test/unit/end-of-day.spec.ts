import { expect } from 'chai';
import { endOfDayReport } from '../../core/engine/end-of-day.js';
import { AlertRules } from '../../adapters/alerts/alert-rules.js';
import { alertsSchema } from '../../core/config/alerts-schema.js';
import type { JournalEntry } from '../../ports/journal.js';
import type { VenueExecution } from '../../ports/broker-adapter.js';

const fill = (execId: string, commission: number | null): JournalEntry => ({
  kind: 'fill',
  type: 'order.filled',
  loopSeq: 1,
  time: 1,
  data: { execId, commission },
});
const comm = (execId: string, amount: number): JournalEntry => ({
  kind: 'fill',
  type: 'commission.reported',
  loopSeq: 2,
  time: 2,
  data: { execId, amount },
});
const venue = (execId: string, commission: number | null): VenueExecution => ({
  execId,
  coid: 'c',
  symbol: 'ABC',
  side: 'buy',
  qty: 10,
  price: 1_000_000,
  commission,
});
const pos = (symbol: string, quantity: number) => ({ symbol, quantity, averagePrice: 0, realizedPnl: 0 });

describe('end-of-day reconciliation', () => {
  it('is clean when every execution, commission and position agrees (a commission reported later counts)', () => {
    const r = endOfDayReport(
      [fill('e1', 10_000), fill('e2', null), comm('e2', 5_000)],
      [venue('e1', 10_000), venue('e2', 5_000)],
      [pos('ABC', 20)],
      [pos('ABC', 20)],
    );
    expect(r).to.deep.include({
      status: 'clean',
      discrepancies: [],
      executions: { venue: 2, journal: 2 },
      commissions: { venue: 15_000, journal: 15_000 },
    });
  });

  it('lists every discrepancy: missing either way, commission missing or different, positions apart', () => {
    const r = endOfDayReport(
      [fill('e1', 10_000), fill('e3', null), fill('e4', 1)],
      [venue('e1', 12_000), venue('e2', 1), venue('e3', 3)],
      [pos('ABC', 10)],
      [pos('ABC', 20), pos('XYZ', -5)],
    );
    expect(r.status).to.equal('discrepancies');
    expect(r.discrepancies.map((d) => `${d.kind}:${d.execId ?? d.symbol}`)).to.deep.equal([
      'commission-differs:e1',
      'execution-not-journaled:e2',
      'commission-missing:e3',
      'execution-not-at-venue:e4',
      'position-differs:ABC',
      'position-differs:XYZ',
    ]);
  });

  it('without a venue list it still compares positions, and a report with discrepancies raises a critical alert', () => {
    const r = endOfDayReport([fill('e1', 1)], null, [pos('ABC', 10)], []);
    expect(r.executions.venue).to.equal(null);
    expect(r.discrepancies).to.deep.equal([{ kind: 'position-differs', symbol: 'ABC', journal: 10, venue: 0 }]);
    const rules = new AlertRules(alertsSchema.parse({}));
    const row: JournalEntry = { kind: 'risk', type: 'reconciliation.end-of-day', loopSeq: 3, time: 3, data: { ...r } };
    expect(rules.onRow(row, 0).map((a) => [a.type, a.level])).to.deep.equal([['reconciliation', 'critical']]);
    const clean: JournalEntry = { ...row, data: { ...endOfDayReport([], [], [], []) } };
    expect(rules.onRow(clean, 0)).to.deep.equal([]);
  });
});
