import { expect } from 'chai';
import { SessionFeed } from '../../adapters/dashboard/session-feed.js';
import type { JournalEntry } from '../../ports/journal.js';

const row = (e: Pick<JournalEntry, 'kind' | 'type' | 'data'>): JournalEntry => ({ loopSeq: 1, time: 1, ...e });

describe('dashboard session feed', () => {
  it('drops a working stop once the stop order is completely filled', () => {
    const feed = new SessionFeed();
    feed.onRow(
      's',
      row({ kind: 'order', type: 'order.requested', data: { coid: 'c1', symbol: 'XYZ', role: 'stop-loss', triggerPrice: 990_000 } }),
    );
    expect(feed.stops.has('c1')).to.equal(true);
    feed.onRow(
      's',
      row({
        kind: 'fill',
        type: 'order.filled',
        data: { coid: 'c1', symbol: 'XYZ', side: 'sell', qty: 50, price: 990_000, leavesQty: 50 },
      }),
    );
    expect(feed.stops.has('c1'), 'a partial fill leaves the stop working').to.equal(true);
    expect(feed.markers).to.have.length(1);
    feed.onRow(
      's',
      row({ kind: 'fill', type: 'order.filled', data: { coid: 'c1', symbol: 'XYZ', side: 'sell', qty: 50, price: 990_000, leavesQty: 0 } }),
    );
    expect(feed.stops.has('c1')).to.equal(false);
    expect(feed.markers).to.have.length(2);
  });
});
