import { expect } from 'chai';
import { orderManagerHarness } from '../support/order-manager-harness.js';

// Card RISK-13 ("each sent once"): the venue answers after a round trip, so a second flatten (session end right after
// a HALT) or a strategy's cancel can come while the first cancels and the closing order are still unanswered. The
// RecordingBroker never answers on its own, which holds the manager in exactly that window.

function setup() {
  const { clock, orders, broker, fill } = orderManagerHarness();
  // Long X 100 (filled) and one resting entry.
  const held = orders.submitIntent('s1', { symbol: 'X', kind: 'entry', side: 'buy', type: 'market', quantity: 100, reason: 't' });
  if (held.status !== 'sent') throw new Error('setup');
  fill(held.coids[0]!, 'buy', 100, 100, 0);
  const rest = orders.submitIntent('s1', {
    symbol: 'X',
    kind: 'entry',
    side: 'buy',
    type: 'limit',
    quantity: 100,
    limitPrice: 99_000,
    reason: 't',
  });
  if (rest.status !== 'sent') throw new Error('setup');
  broker.submitted.length = 0;
  return { orders, broker, fill, resting: rest.coids[0]!, clock };
}

describe('OrderManager: a flatten sends each cancel and close once', () => {
  it('a second flatten before the venue answers sends nothing: no repeated cancel, no second close, no cancel of the close', () => {
    const { orders, broker } = setup();
    expect(orders.flattenAll('kill-switch: RISK.PACING')).to.deep.equal({ positions: 1, cancelled: 1 });
    expect(broker.cancels).to.have.length(1);
    expect(broker.submitted.map((o) => `${o.side} ${o.quantity} ${o.type}`)).to.deep.equal(['sell 100 market']);
    expect(orders.flattenAll('session-end')).to.deep.equal({ positions: 0, cancelled: 0 });
    expect(broker.cancels, 'cancels').to.have.length(1);
    expect(broker.submitted, 'closing orders').to.have.length(1);
  });

  it('a partly filled close still covers its remainder: the next flatten closes nothing more', () => {
    const { orders, broker, fill } = setup();
    orders.flattenAll('kill-switch: RISK.PACING');
    fill(broker.submitted[0]!.coid, 'sell', 40, 40, 60);
    orders.flattenAll('session-end');
    expect(broker.submitted).to.have.length(1);
  });

  it("a strategy's cancel of an order whose cancel is pending is not sent again; after a cancel-reject it is", () => {
    const { orders, broker, resting, clock } = setup();
    orders.cancel('s1', resting);
    orders.cancel('s1', resting);
    expect(broker.cancels).to.deep.equal([resting]);
    broker.emit('order.cancel-rejected', { coid: resting, code: 'ORDER.NOT_OPEN', reason: 'too late', reconciled: false, at: clock.now() });
    orders.flattenAll('kill-switch: RISK.PACING');
    expect(broker.cancels).to.deep.equal([resting, resting]);
  });
});
