import { expect } from 'chai';
import { orderManagerHarness } from '../support/order-manager-harness.js';

// The RecordingBroker never answers on its own: each test plays the venue's answers one by one.
function setup(quote: { bid: number; ask: number } | null = { bid: 100_000, ask: 100_100 }) {
  return orderManagerHarness(undefined, quote);
}

describe('OrderManager: every open share stays covered while a position closes (#11 item 9)', () => {
  it('a close sent while the entry still fills is re-issued for the remainder; the bracket stays until flat', () => {
    const h = setup();
    const { parent, stop, target } = h.bracketEntry(754);
    h.fill(parent, 'buy', 500, 500, 254);
    h.broker.submitted.length = 0;
    const close = h.orders.closePosition('s1', 'X', 'tape-flip');
    expect(close?.status).to.equal('sent');
    expect(h.broker.submitted.map((o) => `${o.side} ${o.quantity} ${o.type}`)).to.deep.equal(['sell 500 market']);
    expect(h.broker.cancels, 'only the entry remainder is cancelled').to.deep.equal([parent]);
    // The rest of the entry fills before its cancel lands (the same microsecond as the close in the seed-5 day).
    h.fill(parent, 'buy', 254, 754, 0);
    expect(h.broker.submitted.map((o) => `${o.side} ${o.quantity} ${o.type}`)).to.deep.equal(['sell 500 market', 'sell 254 market']);
    expect(h.broker.cancels, 'children still working').to.not.include.members([stop, target]);
    h.fill(h.broker.submitted[0]!.coid, 'sell', 500, 500, 0);
    expect(h.broker.cancels).to.not.include(stop);
    h.fill(h.broker.submitted[1]!.coid, 'sell', 254, 254, 0);
    expect(h.broker.cancels, 'cancelled once flat').to.include.members([stop, target]);
    expect(h.orders.isClosing('s1', 'X'), 'watching until the cancels are answered').to.equal(true);
    for (const coid of [stop, target])
      h.broker.emit('order.cancelled', { coid, filledQty: 0, cancelledQty: 754, reason: 'requested', at: h.clock.now() });
    expect(h.orders.isClosing('s1', 'X')).to.equal(false);
  });

  it('a rejected close is retried through the spread and escalated after 3 failures (critical, journaled, HALT)', () => {
    const h = setup();
    const { parent } = h.bracketEntry(100);
    h.fill(parent, 'buy', 100, 100, 0);
    h.broker.submitted.length = 0;
    h.orders.flattenAll('kill-switch: test');
    const reject = (i: number) =>
      h.broker.emit('order.rejected', {
        coid: h.broker.submitted[i]!.coid,
        origin: 'broker',
        code: 'ORDER.REJECTED',
        reason: 'no liquidity',
        venueCode: 201,
        at: h.clock.now(),
      });
    reject(0);
    reject(1);
    expect(h.broker.submitted.map((o) => `${o.side} ${o.quantity} ${o.type} ${o.limitPrice ?? ''}`)).to.deep.equal([
      'sell 100 market ',
      'sell 100 limit 99900',
      'sell 100 limit 99800',
    ]);
    expect(h.alerts).to.have.length(0);
    reject(2);
    expect(h.broker.submitted, 'nothing more after the third failure').to.have.length(3);
    expect(h.alerts).to.have.length(1);
    expect(h.alerts[0]).to.deep.include({ severity: 'critical', symbol: 'X', qty: 100, attempts: 3 });
    expect(h.journal.all().find((r) => r.type === 'flatten.escalated')?.data, 'the journal row keeps its key').to.deep.include({
      quantity: 100,
    });
    expect(h.journal.all().some((r) => r.type === 'flatten.escalated')).to.equal(true);
    expect(h.escalations.map((e) => `${e.to} ${e.reason.code}`)).to.deep.equal(['HALT RISK.CLOSE_FAILED']);
  });

  it('a flatten refused while the link is down goes out again after reconnect and reconciliation, sized afresh', () => {
    const h = setup();
    const { parent } = h.bracketEntry(300);
    h.fill(parent, 'buy', 200, 200, 100);
    h.broker.submitted.length = 0;
    const up = h.broker.health();
    let canTrade = false;
    h.broker.health = () => ({ ...up, state: canTrade ? 'Connected' : 'Reconnecting', canTrade });
    h.orders.flattenAll('kill-switch: RISK.OUTAGE');
    h.broker.emit('order.rejected', {
      coid: h.broker.submitted[0]!.coid,
      origin: 'adapter',
      code: 'BROKER.NOT_CONNECTED',
      reason: 'broker is Reconnecting',
      venueCode: null,
      at: h.clock.now(),
    });
    expect(h.broker.submitted, 'no retry while the link is down').to.have.length(1);
    h.fill(parent, 'buy', 100, 300, 0); // reported at reconciliation: the entry's rest filled during the outage
    expect(h.broker.submitted).to.have.length(1);
    canTrade = true;
    h.broker.emit('reconciliation.completed', {
      status: 'complete',
      adopted: 0,
      adoptedCoids: [],
      closed: 0,
      unresolved: 0,
      unresolvedCoids: [],
      discrepancies: [],
      at: h.clock.now(),
    });
    expect(h.broker.submitted.map((o) => `${o.side} ${o.quantity} ${o.type}`)).to.deep.equal(['sell 200 market', 'sell 300 market']);
    expect(h.alerts).to.have.length(0);
  });
});

describe('OrderManager: executions are trusted only for orders we placed (#11 items 10, 18)', () => {
  it('a fill of an order the registry does not know leaves the ledger alone and moves to SAFE_MODE', () => {
    const h = setup();
    h.fill('lmp-i7.p', 'buy', 5_000, 5_000, 0);
    expect(h.ledger.quantity('X')).to.equal(0);
    expect(
      h.journal
        .all()
        .filter((r) => r.type === 'fill.refused')
        .map((r) => (r.data as { why: string }).why),
    ).to.deep.equal(['unknown-order']);
    expect(h.escalations.map((e) => `${e.to} ${e.reason.code}`)).to.deep.equal(['SAFE_MODE RISK.UNTRUSTED_FILL']);
  });

  it('a fill of an order reconciliation adopted as ours is applied', () => {
    const h = setup();
    h.broker.emit('order.adopted', { coid: 'lmp-i7.p', brokerOrderId: '7', permId: null, external: false, at: h.clock.now() });
    h.fill('lmp-i7.p', 'buy', 100, 100, 0);
    expect(h.ledger.quantity('X')).to.equal(100);
    expect(h.escalations).to.deep.equal([]);
  });

  it('an overfill is refused (the position keeps the order quantity) and moves to SAFE_MODE', () => {
    const h = setup();
    const r = h.orders.submitIntent('s1', { symbol: 'X', kind: 'entry', side: 'buy', type: 'market', quantity: 5_000, reason: 't' });
    if (r.status !== 'sent') throw new Error('setup');
    const coid = r.coids[0]!;
    h.fill(coid, 'buy', 5_000, 5_000, 0);
    h.fill(coid, 'buy', 5_000, 10_000, 0);
    h.fill(coid, 'buy', 5_000, 15_000, 0);
    expect(h.ledger.quantity('X')).to.equal(5_000);
    expect(h.tracker.current('s1', 'X')?.quantity).to.equal(5_000);
    expect(h.escalations.map((e) => `${e.to} ${e.reason.code}`)).to.include('SAFE_MODE RISK.OVERFILL');
  });
});
