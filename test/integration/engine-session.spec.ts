import { expect } from 'chai';
import { runWith, S, WINDOW } from '../support/engine-harness.js';

describe('session engine (kernel end to end with in-test adapters)', () => {
  it('keeps running when a strategy throws, journals plugin.error, and ends with a final flush', async () => {
    let calls = 0;
    const { result, journal } = await runWith((ctx) => ({
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: () => {
        calls++;
        if (calls % 50 === 0) throw new Error('strategy bug');
      },
    }));
    expect(calls).to.equal(300);
    expect(result.events).to.equal(900);
    expect(result.status).to.equal('completed');
    const errors = journal.all().filter((e) => e.type === 'plugin.error');
    expect(errors).to.have.length(6);
    expect(errors[0]!.data).to.include({ pluginId: 'probe', event: 'onBook' });
  });

  it('denies entries before the session data is fresh, then routes bracket entries with an approval record', async () => {
    let sent = 0;
    const { journal, broker } = await runWith((ctx) => ({
      id: ctx.strategyId,
      subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
      onBook: (book) => {
        if (sent > 0 || ctx.clock.now() < WINDOW.start + 30 * S) return;
        const r = ctx.submit({
          symbol: 'TST',
          kind: 'entry',
          side: 'buy',
          type: 'limit',
          quantity: 10,
          limitPrice: book.bestAsk,
          stopLoss: book.bestBid - 500,
          takeProfit: book.bestAsk + 500,
          reason: 'probe',
        });
        if (r.status === 'sent') sent++;
      },
    }));
    expect(sent).to.equal(1);
    expect(broker.brackets).to.have.length(1);
    const types = journal.all().map((e) => e.type);
    expect(types).to.include('start-gates.passed');
    expect(types.indexOf('risk.approved')).to.be.lessThan(types.indexOf('order.requested'));
    // Session end flattens the open position: a flatten order follows, and the round trip closes.
    expect(types).to.include('flatten.order');
    expect(types).to.include('trade.closed');
  });

  it('on a halt breach, flattens every position and cancels working orders, journaling the transition', async () => {
    let entered = false;
    const { journal, broker, result } = await runWith(
      (ctx) => ({
        id: ctx.strategyId,
        subscriptions: () => [{ symbol: 'TST', streams: ['depth', 'tape'] }],
        onBook: (book) => {
          if (entered || ctx.clock.now() < WINDOW.start + 10 * S) return;
          entered =
            ctx.submit({
              symbol: 'TST',
              kind: 'entry',
              side: 'buy',
              type: 'limit',
              quantity: 200,
              limitPrice: book.bestAsk,
              stopLoss: book.bestBid - 500,
              takeProfit: book.bestAsk + 2000,
              reason: 'probe',
            }).status === 'sent';
        },
      }),
      [{ use: 'daily-loss', action: 'halt', params: { maxLossPct: 0.0001 } }],
    );
    const change = journal.all().find((e) => e.type === 'risk.state-changed');
    expect(change?.data).to.include({ to: 'HALT' });
    expect(journal.all().some((e) => e.type === 'flatten.all')).to.equal(true);
    expect(broker.cancels.length).to.be.greaterThan(0);
    expect(result.riskState).to.equal('HALT');
    expect(result.status).to.equal('halted');
  });
});
