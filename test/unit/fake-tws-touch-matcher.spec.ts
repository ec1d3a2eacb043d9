import { expect } from 'chai';
import { TouchMatcher } from '../../adapters/fake-tws/fake-matcher.js';

describe("the fake TWS's touch matcher", () => {
  const setup = () => {
    const m = new TouchMatcher();
    const fills: { orderId: number; qty: number; price: number }[] = [];
    m.setSink({ fill: (orderId, qty, price) => fills.push({ orderId, qty, price }), reject: () => undefined });
    m.onTouch('X', 100_00, 100_01);
    return { m, fills };
  };

  it('fills a stop triggered by a print at that print or worse, not at a touch the print went through', () => {
    const { m, fills } = setup();
    m.submit({ orderId: 1, symbol: 'X', side: 'sell', type: 'stop', quantity: 100, triggerPrice: 99_99 });
    m.submit({ orderId: 2, symbol: 'X', side: 'buy', type: 'stop', quantity: 100, triggerPrice: 100_03 });
    expect(fills).to.deep.equal([]);
    // The touch still shows 100_00 / 100_01: the sweep's print arrives before the book that follows it.
    m.onTrade('X', 99_97, 500);
    m.onTrade('X', 100_05, 500);
    expect(fills).to.deep.equal([
      { orderId: 1, qty: 100, price: 99_97 },
      { orderId: 2, qty: 100, price: 100_05 },
    ]);
  });

  it('a stop triggered by the touch fills at the touch', () => {
    const { m, fills } = setup();
    m.submit({ orderId: 1, symbol: 'X', side: 'sell', type: 'stop', quantity: 100, triggerPrice: 99_99 });
    m.onTouch('X', 99_98, 99_99);
    expect(fills).to.deep.equal([{ orderId: 1, qty: 100, price: 99_98 }]);
  });
});
