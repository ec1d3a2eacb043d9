import { expect } from 'chai';
import type { OrderRequest } from '../../core/domain/orders.js';
import { commissionFor, IBKR_FIXED } from '../../adapters/simulated/commission-model.js';
import { simHarness } from '../support/sim-harness.js';

const order = (coid: string, o: Partial<OrderRequest>): OrderRequest => ({
  coid,
  symbol: 'X',
  side: 'buy',
  type: 'market',
  quantity: 100,
  tif: 'day',
  orderRef: `ref-${coid}`,
  ...o,
});

async function ready(h: ReturnType<typeof simHarness>) {
  await h.broker.connect();
  h.level('bid', 100_00, 300, 'insert');
  h.level('bid', 99_99, 500, 'insert');
  h.level('ask', 100_01, 200, 'insert');
  h.level('ask', 100_02, 400, 'insert');
}

describe('SimulatedBroker', () => {
  it('refuses orders before connect and invalid ones, as values', () => {
    const h = simHarness();
    expect(h.broker.submit(order('a', {}))).to.include({ status: 'rejected', code: 'BROKER.NOT_CONNECTED' });
  });

  it('fills a market order by walking the book after the entry latency, with exec ids and commissions', async () => {
    const h = simHarness();
    await ready(h);
    expect(h.broker.submit(order('m', { quantity: 300 }))).to.deep.equal({ coid: 'm', status: 'sent' });
    expect(h.broker.submit(order('m', {}))).to.include({ code: 'ORDER.DUPLICATE_ID' });
    expect(h.fills()).to.have.length(0);
    h.advance(1000);
    const fills = h.fills();
    expect(fills.map((f) => [f.qty, f.price, f.status])).to.deep.equal([
      [200, 100_01, 'PartiallyFilled'],
      [100, 100_02, 'Filled'],
    ]);
    expect(new Set(fills.map((f) => f.execId)).size).to.equal(2);
    expect(fills[0]!.commission).to.equal(commissionFor(IBKR_FIXED, 200, 100_01));
    expect(h.broker.positions()).to.deep.equal([
      { symbol: 'X', quantity: 300, averagePrice: Math.round((200 * 100_01 + 100 * 100_02) / 300), realizedPnl: 0 },
    ]);
  });

  it('queues a resting limit behind the displayed size and fills as prints trade through the queue', async () => {
    const h = simHarness();
    await ready(h);
    h.broker.submit(order('l', { type: 'limit', limitPrice: 100_00, quantity: 100 }));
    h.advance(1000);
    h.print(100_00, 250, 'sell');
    expect(h.fills()).to.have.length(0);
    h.print(100_00, 100, 'sell');
    expect(h.fills().map((f) => f.qty)).to.deep.equal([50]);
    h.print(99_99, 100, 'sell');
    expect(h.fills().map((f) => [f.qty, f.price])).to.deep.equal([
      [50, 100_00],
      [50, 100_00],
    ]);
    expect(h.broker.orderStatus('l')).to.equal('Filled');
  });

  it('triggers a stop on a print and fills it against the book', async () => {
    const h = simHarness();
    await ready(h);
    h.broker.submit(order('s', { side: 'sell', type: 'stop', triggerPrice: 99_99, quantity: 100 }));
    h.advance(1000);
    h.print(100_00, 100, 'sell');
    expect(h.fills()).to.have.length(0);
    h.print(99_99, 100, 'sell');
    expect(h.events.some((e) => e.name === 'order.triggered')).to.equal(true);
    // At the print, not at the 100_00 bid still displayed: a print at 99_99 traded through it.
    expect(h.fills().map((f) => [f.side, f.qty, f.price])).to.deep.equal([['sell', 100, 99_99]]);
  });

  it('a stop triggered by a sweep fills at the sweep print or worse, never at the stale book above it', async () => {
    const h = simHarness();
    await ready(h);
    h.broker.submit(order('s', { side: 'sell', type: 'stop', triggerPrice: 99_99, quantity: 600 }));
    h.broker.submit(order('b', { side: 'buy', type: 'stop', triggerPrice: 100_02, quantity: 300 }));
    h.advance(1000);
    // The sweep's print comes before the depth rows that remove the levels it took (as a recording gives them).
    h.print(99_95, 800, 'sell');
    const sells = h.fills().filter((f) => f.coid === 's');
    expect(sells.map((f) => f.qty).reduce((a, b) => a + b, 0)).to.equal(600);
    for (const f of sells) expect(f.price, 'a sell stop never fills above the print that triggered it').to.be.at.most(99_95);
    h.print(100_05, 300, 'buy');
    const buys = h.fills().filter((f) => f.coid === 'b');
    expect(buys.map((f) => f.qty).reduce((a, b) => a + b, 0)).to.equal(300);
    for (const f of buys) expect(f.price, 'a buy stop never fills below the print that triggered it').to.be.at.least(100_05);
  });

  it('activates bracket children on the parent fill; one child filling cancels the other (OCA)', async () => {
    const h = simHarness();
    await ready(h);
    const parent = order('p', { type: 'limit', limitPrice: 100_01, bracketId: 'b' });
    const sl = order('sl', { side: 'sell', type: 'stop', triggerPrice: 99_90, parentCoid: 'p', ocaGroup: 'g', bracketId: 'b' });
    const tp = order('tp', { side: 'sell', type: 'limit', limitPrice: 100_10, parentCoid: 'p', ocaGroup: 'g', bracketId: 'b' });
    h.broker.submitBracket({ bracketId: 'b', parent, stopLoss: sl, takeProfit: tp });
    h.advance(1000);
    expect(h.broker.orderStatus('p')).to.equal('Filled');
    expect(h.broker.orderStatus('tp')).to.equal('Accepted');
    h.print(100_11, 50, 'buy');
    expect(h.broker.orderStatus('tp')).to.equal('Filled');
    expect(h.broker.orderStatus('sl')).to.equal('Cancelled');
    const cancelled = h.events.find((e) => e.name === 'order.cancelled');
    expect(cancelled?.p).to.include({ coid: 'sl', reason: 'oca' });
    expect(h.broker.positions()).to.deep.equal([]);
  });

  it('a partly filled parent is protected at once: its stop works for what it bought, and no more (#11 item 9)', async () => {
    const h = simHarness();
    await ready(h);
    // The parent buys the 200 offered at 100_01 and rests for the other 300.
    const parent = order('p', { type: 'limit', limitPrice: 100_01, quantity: 500, bracketId: 'b' });
    const sl = order('sl', {
      side: 'sell',
      type: 'stop',
      triggerPrice: 99_99,
      quantity: 500,
      parentCoid: 'p',
      ocaGroup: 'g',
      bracketId: 'b',
    });
    const tp = order('tp', {
      side: 'sell',
      type: 'limit',
      limitPrice: 100_10,
      quantity: 500,
      parentCoid: 'p',
      ocaGroup: 'g',
      bracketId: 'b',
    });
    h.broker.submitBracket({ bracketId: 'b', parent, stopLoss: sl, takeProfit: tp });
    h.advance(1000);
    expect(h.broker.orderStatus('p')).to.equal('PartiallyFilled');
    h.broker.cancel('p');
    h.advance(1000);
    expect(h.broker.orderStatus('p')).to.equal('Cancelled');
    const cut = h.events.filter((e) => e.name === 'order.modified').map((e) => e.p as { coid: string; qty: number });
    expect(cut.map((m) => `${m.coid} ${m.qty}`).sort(), 'children cut to the parent fill').to.deep.equal(['sl 200', 'tp 200']);
    h.print(99_99, 100, 'sell');
    const stopFills = h.fills().filter((f) => f.coid === 'sl');
    expect(
      stopFills.map((f) => [f.qty, f.status]),
      'the stop fires for the 200 held',
    ).to.deep.equal([[200, 'Filled']]);
    expect(h.broker.orderStatus('tp')).to.equal('Cancelled');
    expect(h.broker.positions()).to.deep.equal([]);
  });

  it('OCA siblings share the bracket: a partial take-profit leaves the stop only the rest', async () => {
    const h = simHarness();
    await ready(h);
    h.broker.submitBracket({
      bracketId: 'b',
      parent: order('p', { quantity: 200, bracketId: 'b' }),
      stopLoss: order('sl', {
        side: 'sell',
        type: 'stop',
        triggerPrice: 99_90,
        quantity: 200,
        parentCoid: 'p',
        ocaGroup: 'g',
        bracketId: 'b',
      }),
      takeProfit: order('tp', {
        side: 'sell',
        type: 'limit',
        limitPrice: 100_10,
        quantity: 200,
        parentCoid: 'p',
        ocaGroup: 'g',
        bracketId: 'b',
      }),
    });
    h.advance(1000);
    h.print(100_10, 50, 'buy');
    expect(
      h
        .fills()
        .filter((f) => f.coid === 'tp')
        .map((f) => f.qty),
    ).to.deep.equal([50]);
    h.print(99_90, 500, 'sell');
    const soldByStop = h
      .fills()
      .filter((f) => f.coid === 'sl')
      .reduce((n, f) => n + f.qty, 0);
    expect(soldByStop, 'never more than the position').to.equal(150);
    expect(h.broker.positions()).to.deep.equal([]);
  });

  it('cancelling a parent before its fill cancels the children', async () => {
    const h = simHarness();
    await ready(h);
    h.broker.submitBracket({
      bracketId: 'b',
      parent: order('p', { type: 'limit', limitPrice: 99_00 }),
      stopLoss: order('sl', { side: 'sell', type: 'stop', triggerPrice: 98_00, ocaGroup: 'g' }),
      takeProfit: order('tp', { side: 'sell', type: 'limit', limitPrice: 101_00, ocaGroup: 'g' }),
    });
    h.advance(1000);
    h.broker.cancel('p');
    h.advance(1000);
    expect(['p', 'sl', 'tp'].map((c) => h.broker.orderStatus(c))).to.deep.equal(['Cancelled', 'Cancelled', 'Cancelled']);
  });

  it('probabilistic queue model: cancels ahead move a resting order up; the tail model ignores them', async () => {
    for (const [model, expectFill] of [
      ['probabilistic', true],
      ['tail', false],
    ] as const) {
      const h = simHarness({ queueModel: model, seed: 3 });
      await ready(h);
      h.broker.submit(order('l', { type: 'limit', limitPrice: 100_00 }));
      h.advance(1000);
      h.level('bid', 100_00, 400);
      h.level('bid', 100_00, 100);
      h.print(100_00, 120, 'sell');
      expect(h.fills().length > 0, model).to.equal(expectFill);
    }
  });
});
