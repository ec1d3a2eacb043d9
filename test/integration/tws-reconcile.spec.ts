import { EventName, type Contract, type Order } from '@stoqey/ib';
import { expect } from 'chai';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { quote } from '../../adapters/fake-tws/market-builders.js';
import { createTwsAdapter, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

const limitBuy = (coid: string, price: number, quantity = 10) => ({
  coid,
  symbol: 'AAPL',
  side: 'buy' as const,
  type: 'limit' as const,
  quantity,
  limitPrice: price,
  tif: 'day' as const,
  orderRef: `hv:t1:${coid}`,
});

describe('TWS adapter reconciliation against the fake TWS (open orders, executions, positions)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void> | void> = [];

  beforeEach(async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await Promise.resolve(c()).catch(() => undefined);
    await server.stop();
  });

  function adapter(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, params);
    closers.push(t.close);
    return t;
  }

  it('connect: Connected only after a complete pass; before it, trading is refused with a value', async () => {
    const t = adapter(40);
    let duringSync: ReturnType<typeof t.broker.submit> | null = null;
    let canTradeDuringSync: boolean | null = null;
    t.broker.on('reconciliation.started', () => {
      canTradeDuringSync = t.broker.health().canTrade;
      duringSync = t.broker.submit(limitBuy('early', 1_000_000));
    });
    await t.broker.connect();
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Connected']);
    const names = t.events.map((e) => e.name).filter((n) => n === 'connection.changed' || n.startsWith('reconciliation'));
    expect(names).to.deep.equal(['connection.changed', 'reconciliation.started', 'reconciliation.completed', 'connection.changed']);
    expect(t.of('reconciliation.started')[0]).to.include({ trigger: 'connect' });
    expect(t.of('reconciliation.completed')[0]).to.deep.include({
      status: 'complete',
      adopted: 0,
      closed: 0,
      unresolved: 0,
      discrepancies: [],
    });
    expect(canTradeDuringSync).to.equal(false);
    expect(duringSync).to.deep.include({ status: 'rejected', code: 'BROKER.NOT_CONNECTED' });
    expect(t.broker.health()).to.include({ state: 'Connected', canTrade: true });
  });

  it('adopts our open orders by orderRef after a restart, keeps external ones out, and allocates ids above them', async () => {
    const a = adapter(41);
    await a.broker.connect();
    a.broker.submit(limitBuy('C1', 1_000_000));
    a.broker.submit(limitBuy('C2', 1_010_000, 20));
    await until(() => a.of('order.accepted').length === 2, 'two acks');
    await a.broker.dispose(); // the process dies; TWS keeps its orders
    // A manual order under the same client id (not ours: no hv: orderRef).
    const manual = await IbHarness.connect(server.port, 41);
    manual.ib.placeOrder(
      5_000,
      { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract,
      {
        action: 'BUY',
        orderType: 'LMT',
        lmtPrice: 90,
        totalQuantity: 5,
        tif: 'DAY',
        transmit: true,
        account: TEST_ACCOUNT,
        orderRef: 'manual',
      } as Order,
    );
    await manual.waitFor(EventName.orderStatus);
    manual.disconnect();
    await until(() => server.live().length === 0, 'manual client gone');

    const b = adapter(41);
    await b.broker.connect();
    const done = b.of('reconciliation.completed')[0]!;
    expect(done).to.include({ status: 'complete', adopted: 2, closed: 0, unresolved: 0 });
    expect((done.discrepancies as string[]).some((d) => d.startsWith('external order 5000'))).to.equal(true);
    expect(b.of('order.adopted').map((p) => p.coid)).to.deep.equal(['C1', 'C2']);
    expect(b.of('order.accepted').map((p) => [p.coid, p.reconciled])).to.deep.equal([
      ['C1', true],
      ['C2', true],
    ]);
    expect(b.broker.openOrders().map((o) => [o.coid, o.limitPrice, o.quantity, o.status])).to.deep.equal([
      ['C1', 1_000_000, 10, 'Accepted'],
      ['C2', 1_010_000, 20, 'Accepted'],
    ]);
    // Adopted orders are fully manageable, and the next id is above every id TWS reported (no 103).
    b.broker.cancel('C1');
    await until(() => b.of('order.cancelled').length === 1, 'cancel of adopted C1');
    expect(b.of('order.cancelled')[0]).to.include({ coid: 'C1', reason: 'requested' });
    b.broker.submit(limitBuy('C3', 1_000_000));
    await until(() => b.of('order.accepted').length === 3, 'ack of C3');
    const ids = [...server.desk.orders.keys()];
    expect(ids.at(-1)).to.be.greaterThan(5_000);
    expect(b.of('order.rejected')).to.deep.equal([]);
  });

  it('replays executions missed while the link was down exactly once, and a second pass changes nothing', async () => {
    const t = adapter(42);
    await t.broker.connect();
    server.publish(quote('AAPL', 150.25, 150.27));
    t.broker.submit({ ...limitBuy('F1', 1_000_000), type: 'market', limitPrice: undefined });
    await until(
      () =>
        t.of('order.filled').length === 1 &&
        t.of('commission.reported').length + t.of('order.filled').filter((f) => f.commission !== null).length === 1,
      'first fill with commission',
    );
    t.broker.submit(limitBuy('R1', 1_000_000, 30));
    await until(() => t.of('order.accepted').length === 2, 'R1 resting');
    const rest = [...server.desk.orders.values()].find((o) => o.placed.orderRef === 'hv:t1:R1')!;
    server.inject({ kind: 'close' });
    server.inject({ kind: 'fill', orderId: rest.orderId, quantity: 30, price: 100 }); // fills while nobody listens
    await until(() => t.chain().at(-1) === 'Reconnecting→Connected', 'reconnected');
    expect(t.chain()).to.deep.equal([
      'Disconnected→Connecting',
      'Connecting→Connected',
      'Connected→Reconnecting',
      'Reconnecting→Connected',
    ]);
    const fills = t.of('order.filled');
    expect(fills.map((f) => [f.coid, f.qty])).to.deep.equal([
      ['F1', 10],
      ['R1', 30],
    ]);
    expect(new Set(fills.map((f) => f.execId)).size).to.equal(2);
    expect(t.of('reconciliation.completed').at(-1)).to.include({ status: 'complete', closed: 0, unresolved: 0 });
    expect(t.broker.positions()).to.deep.equal([
      { symbol: 'AAPL', quantity: 40, averagePrice: Math.round((10 * 1_502_700 + 30 * 1_000_000) / 40), realizedPnl: 0 },
    ]);
    const paid = t.broker.accountSnapshot();
    const commissions =
      fills.reduce((n, f) => n + ((f.commission as number | null) ?? 0), 0) +
      t.of('commission.reported').reduce((n, c) => n + (c.amount as number), 0);
    expect(commissions).to.equal(10_000 + 10_000); // $1 minimum each, counted once despite the replayed reports
    // The account snapshot is TWS's own (account summary, refreshed by the reconnect's pass): the fake's 1,000,000 of
    // cash less what the commissions took, the shares carried at cost.
    expect(paid).to.include({ source: 'venue', equity: 10_000_000_000 - commissions });
    const before = t.events.length;
    await t.broker.reconcile();
    const after = t.events.slice(before).map((e) => e.name);
    expect(after).to.deep.equal(['reconciliation.started', 'reconciliation.completed']);
    expect(t.of('reconciliation.completed').at(-1)).to.deep.include({ status: 'complete', adopted: 0, closed: 0, discrepancies: [] });
  });

  it('settles an order TWS never saw (lost placement, then the link dropped): unknown, then cancelled by the verdict', async () => {
    const t = adapter(43);
    await t.broker.connect();
    let placed = 0;
    server.on('frame', (f) => {
      if (f.request.kind === 'placeOrder') placed++;
    });
    server.withheld.add('placeOrder');
    t.broker.submit(limitBuy('L1', 1_000_000));
    await until(() => placed === 1, 'the placement reached the fake (and was lost there)');
    server.withheld.delete('placeOrder');
    server.inject({ kind: 'close' });
    await until(() => t.chain().at(-1) === 'Reconnecting→Connected', 'reconnected');
    expect(t.of('order.unknown')).to.deep.equal([{ coid: 'L1', cause: 'disconnect-after-send', at: t.of('order.unknown')[0]!.at }]);
    const names = t.events.map((e) => `${e.name}:${String(e.p.to ?? e.p.coid ?? '')}`);
    expect(names.indexOf('connection.changed:Reconnecting')).to.be.lessThan(names.indexOf('order.unknown:L1'));
    expect(t.of('order.cancelled')[0]).to.include({ coid: 'L1', reason: 'venue', cancelledQty: 10 });
    expect(t.of('reconciliation.completed').at(-1)).to.include({ status: 'complete', closed: 1 });
    expect(t.of('order.rejected')).to.deep.equal([]);
    expect(t.broker.orderStatus('L1')).to.equal('Cancelled');
  });

  it('reports a position the broker holds and we do not (the broker wins)', async () => {
    // Another client id buys MSFT: its executions are not ours, but the account position is.
    const other = adapter(44);
    await other.broker.connect();
    server.publish(quote('MSFT', 400, 400.02));
    other.broker.submit({ coid: 'X1', symbol: 'MSFT', side: 'buy', type: 'market', quantity: 7, tif: 'day', orderRef: 'hv:other:X1' });
    await until(() => other.of('order.filled').length === 1, 'MSFT fill');
    const t = adapter(45);
    await t.broker.connect();
    const done = t.of('reconciliation.completed')[0]!;
    expect(done).to.include({ status: 'complete' });
    expect(done.discrepancies).to.deep.equal(['MSFT +7']);
    expect(t.of('position.changed')).to.have.length(1);
    expect(t.of('position.changed')[0]).to.include({ symbol: 'MSFT', qty: 7, avgPrice: 4_000_200, source: 'reconcile' });
    expect(t.broker.positions()).to.deep.equal([{ symbol: 'MSFT', quantity: 7, averagePrice: 4_000_200, realizedPnl: 0 }]);
  });

  it('a pass whose open-orders query never ends is incomplete (detail partial): never Connected, retried, then connect() fails', async () => {
    server.withheld.add('openOrders');
    const t = adapter(46, { reconcileDeadlineMs: 100, syncAttempts: 2, syncRetryMs: 20 });
    let code = '';
    await t.broker.connect().catch((e: { code: string }) => {
      code = e.code;
    });
    expect(code).to.equal('BROKER.RECONCILE_FAILED');
    const passes = t.of('reconciliation.completed');
    expect(passes.map((p) => [p.status, p.detail])).to.deep.equal([
      ['incomplete', 'partial'],
      ['incomplete', 'partial'],
    ]);
    expect((passes[0]!.discrepancies as string[])[0]).to.match(/open orders: .*no answer within 100 ms/);
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Disconnected']);
    expect(t.broker.health().canTrade).to.equal(false);
  });

  it('a failed pass after a reconnect keeps Reconnecting and is retried until one completes', async () => {
    const t = adapter(47, { reconcileDeadlineMs: 100, syncAttempts: 3, syncRetryMs: 20 });
    await t.broker.connect();
    t.broker.submit(limitBuy('W1', 1_000_000));
    await until(() => t.of('order.accepted').length === 1, 'W1 working');
    server.withheld.add('positions');
    server.inject({ kind: 'close' });
    await until(() => t.of('reconciliation.completed').length >= 2, 'a failed pass');
    expect(t.of('reconciliation.completed')[1]).to.include({ status: 'incomplete', detail: 'partial', unresolved: 0, closed: 0 });
    expect(t.connection.state).to.equal('Reconnecting');
    expect(t.broker.submit(limitBuy('W2', 1_000_000))).to.include({ status: 'rejected', code: 'BROKER.NOT_CONNECTED' });
    server.withheld.delete('positions');
    await until(() => t.connection.state === 'Connected', 'Connected after a complete pass', 6_000);
    expect(t.of('reconciliation.completed').at(-1)).to.include({ status: 'complete' });
    expect(t.of('order.cancelled')).to.deep.equal([]); // W1 is still working: nothing was guessed
    expect(t.broker.orderStatus('W1')).to.equal('Accepted');
  });
});
