import { expect } from 'chai';
import { orderManagerHarness } from '../support/order-manager-harness.js';

// The RecordingBroker never answers on its own: each test plays the venue's answers one by one.
function setup() {
  const h = orderManagerHarness(undefined, { bid: 100_000, ask: 100_100 });
  const exit = (quantity: number, type: 'limit' | 'stop' = 'limit') =>
    h.orders.submitIntent('s1', {
      symbol: 'X',
      kind: 'exit',
      side: 'sell',
      type,
      quantity,
      ...(type === 'limit' ? { limitPrice: 100_000 } : { triggerPrice: 99_500 }),
      reason: 'scale-out',
    });
  return { ...h, exit };
}

describe('OrderManager: a strategy exit never sells more than is held and not yet covered', () => {
  it("refuses an exit the bracket's working legs already cover, as a value naming what is free", () => {
    const h = setup();
    const { parent } = h.bracketEntry(743);
    h.fill(parent, 'buy', 743, 743, 0);
    const r = h.exit(371);
    expect(r.status).to.equal('denied');
    if (r.status !== 'denied') return;
    expect(r.decision.reasons[0]).to.include({ code: 'RISK.EXIT_EXCEEDS_POSITION', observed: 371, threshold: 0 });
  });

  it('the replay of the sweep day: after the take-profit sold 600 of 743 and the legs were cancelled, 743 more is refused, 143 goes', () => {
    const h = setup();
    const { parent, stop, target } = h.bracketEntry(743);
    h.fill(parent, 'buy', 743, 743, 0);
    h.fill(target, 'sell', 600, 600, 143);
    h.orders.cancel('s1', stop);
    h.orders.cancel('s1', target);
    const before = h.broker.submitted.length;
    expect(h.exit(371).status, 'half of the entry fill').to.equal('denied');
    expect(h.exit(372, 'stop').status).to.equal('denied');
    expect(h.broker.submitted.length, 'nothing reached the broker').to.equal(before);
    expect(h.exit(71).status).to.equal('sent');
    expect(h.exit(72, 'stop').status).to.equal('sent');
    expect(h.exit(1).status, 'the 143 held are covered now').to.equal('denied');
  });

  it('counts a bracket once (its legs share one budget), and closes (sized by the kernel) are not held to it', () => {
    const h = setup();
    const { parent, stop } = h.bracketEntry(100);
    h.fill(parent, 'buy', 100, 100, 0);
    h.orders.cancel('s1', stop);
    // The take-profit alone still covers all 100.
    expect(h.exit(1).status).to.equal('denied');
    expect(h.orders.closePosition('s1', 'X', 'flip')?.status).to.not.equal('denied');
  });

  it('with no position, an exit is refused whatever its size', () => {
    const h = setup();
    expect(h.exit(1).status).to.equal('denied');
  });
});
