import { EventName, type Contract, type Order, type TickByTickDataType } from '@stoqey/ib';
import { expect } from 'chai';
import { FakeTwsServer, StepClock, scriptedMarket, syntheticMarket, type FrameEvent } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { level, quote, trade } from '../../adapters/fake-tws/market-builders.js';

const AAPL = { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;
const order = (o: Partial<Order>): Order => ({ tif: 'DAY', transmit: true, account: 'DU0000001', ...o }) as Order;

describe('fake TWS server with the unmodified @stoqey/ib client', () => {
  let server: FakeTwsServer | undefined;
  let clients: IbHarness[] = [];

  async function setup(opts: Parameters<typeof FakeTwsServer.start>[0] = {}, clientId = 7): Promise<IbHarness> {
    server = await FakeTwsServer.start({ clock: new StepClock(), ...opts });
    const h = await IbHarness.connect(server.port, clientId);
    clients.push(h);
    return h;
  }

  afterEach(async () => {
    for (const c of clients) c.disconnect();
    clients = [];
    await server?.stop();
    server = undefined;
  });

  it('handshakes: managedAccounts then nextValidId, farm notices as info, zero decoder errors', async () => {
    const frames: FrameEvent[] = [];
    server = await FakeTwsServer.start({ accounts: ['DU0000001', 'DU0000002'], clock: new StepClock() });
    server.on('frame', (f) => frames.push(f));
    const h = await IbHarness.connect(server.port, 7);
    clients.push(h);
    expect(await h.waitFor(EventName.managedAccounts)).to.deep.equal(['DU0000001,DU0000002']);
    expect(await h.waitFor(EventName.nextValidId)).to.deep.equal([1000]);
    const names = h.names();
    expect(names.indexOf(EventName.managedAccounts)).to.be.lessThan(names.indexOf(EventName.nextValidId));
    expect(h.all(EventName.server)[0]).to.deep.include(193);
    await h.settle();
    expect(h.infoCodes()).to.include(2104);
    expect(frames[0]?.request).to.deep.equal({ kind: 'startApi', clientId: '7' });
    expect(h.decoderErrors()).to.deep.equal([]);
    expect(server.stats.decodeErrors).to.equal(0);
  });

  it('answers currentTime from the injected clock', async () => {
    const clock = new StepClock(1_767_268_800_000_000);
    const h = await setup({ clock });
    h.ib.reqCurrentTime();
    expect(await h.waitFor(EventName.currentTime)).to.deep.equal([1_767_268_800]);
  });

  it('returns contract details, and 200 for an unknown contract', async () => {
    const h = await setup({ contracts: [{ symbol: 'AAPL', conId: 265598, primaryExchange: 'NASDAQ' }] });
    h.ib.reqContractDetails(14, AAPL);
    const [reqId, details] = (await h.waitFor(EventName.contractDetails)) as [number, any];
    expect(reqId).to.equal(14);
    expect(details.contract).to.include({ symbol: 'AAPL', conId: 265598, secType: 'STK', currency: 'USD' });
    expect(details.minTick).to.equal(0.01);
    await h.waitFor(EventName.contractDetailsEnd, (a) => a[0] === 14);
    h.ib.reqContractDetails(15, { ...AAPL, symbol: 'NOPE' });
    await h.waitFor(EventName.error, (a) => a[2] === 15);
    expect(h.errorCodes()).to.deep.equal([200]);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('streams L1 ticks, depth rows and tick-by-tick AllLast with zero decoder errors', async () => {
    const h = await setup();
    h.ib.reqMktData(11, AAPL, '', false, false);
    h.ib.reqMktDepth(12, AAPL, 3, false, []);
    h.ib.reqTickByTickData(13, AAPL, 'AllLast' as TickByTickDataType, 0, false);
    await h.settle();
    const s = server!;
    s.publish(quote('AAPL', 150.25, 150.27, 300, 200));
    for (const [p, q] of [
      [150.25, 300],
      [150.24, 100],
      [150.23, 400],
      [150.22, 500],
    ] as const) {
      s.publish(level('AAPL', 'bid', p, q));
    }
    s.publish(level('AAPL', 'bid', 150.26, 50)); // new best bid pushes 150.23 out of the 3-row window
    s.publish(level('AAPL', 'bid', 150.24, 0)); // delete pulls 150.23 back in
    s.publish(trade('AAPL', 150.27, 25));
    await h.settle();
    expect(h.all(EventName.tickPrice)).to.deep.include.members([
      [11, 1, 150.25, true],
      [11, 2, 150.27, true],
      [11, 4, 150.27, false],
    ]);
    expect(h.all(EventName.tickSize)).to.deep.include([11, 0, 300]);
    // Rebuild the client's 3-row bid book from the row operations it received.
    const rows: number[] = [];
    for (const [id, pos, op, side, price] of h.all(EventName.updateMktDepth) as number[][]) {
      expect(id).to.equal(12);
      expect(side).to.equal(1);
      if (op === 0) rows.splice(pos!, 0, price!);
      else if (op === 1) rows[pos!] = price!;
      else rows.splice(pos!, 1);
    }
    expect(rows).to.deep.equal([150.26, 150.25, 150.23]);
    const [tbt] = h.all(EventName.tickByTickAllLast);
    expect(tbt?.slice(0, 2)).to.deep.equal([13, 2]);
    expect(tbt?.slice(3, 5)).to.deep.equal([150.27, 25]);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('plays a synthetic market source as fast as possible; smart depth arrives as L2 rows', async () => {
    const market = syntheticMarket({
      symbol: 'AAPL',
      seed: 42,
      start: 1_767_277_800_000_000,
      steps: 300,
      mid: 1_500_000,
      tick: 100,
      interval: 100_000,
    });
    const h = await setup({ market, speed: Infinity });
    h.ib.reqMktDepth(12, AAPL, 5, true, []);
    h.ib.reqMktData(11, AAPL, '', false, false);
    await server!.playMarket();
    await h.settle();
    expect(server!.market.eventsPublished).to.be.greaterThan(300);
    const l2 = h.all(EventName.updateMktDepthL2);
    expect(l2.length).to.be.greaterThan(300);
    expect(l2[0]?.[7]).to.equal(true);
    expect(h.all(EventName.tickPrice).length).to.be.greaterThan(100);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('places a market order: openOrder, orderStatus Filled, execDetails and a matching commissionReport', async () => {
    const h = await setup();
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, order({ action: 'BUY' as any, orderType: 'MKT' as any, totalQuantity: 10, orderRef: 'strat-1' }));
    const [, , ord, state] = (await h.waitFor(EventName.openOrder)) as [number, any, any, any];
    expect(ord).to.include({ orderId: 1000, action: 'BUY', totalQuantity: 10, orderRef: 'strat-1', clientId: 7 });
    expect(state.status).to.be.oneOf(['Submitted', 'Filled']);
    const filled = await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Filled');
    expect(filled.slice(0, 5)).to.deep.equal([1000, 'Filled', 10, 0, 150.27]);
    const [reqId, contract, exec] = (await h.waitFor(EventName.execDetails)) as [number, any, any];
    expect(reqId).to.equal(-1);
    expect(contract.symbol).to.equal('AAPL');
    expect(exec).to.include({ orderId: 1000, shares: 10, price: 150.27, side: 'BOT', cumQty: 10 });
    const [report] = (await h.waitFor(EventName.commissionReport)) as [any];
    expect(report.execId).to.equal(exec.execId);
    expect(report.commission).to.equal(1);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('modifies a resting limit order in place and cancels it (Cancelled + 202)', async () => {
    const h = await setup();
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, order({ action: 'BUY' as any, orderType: 'LMT' as any, lmtPrice: 149, totalQuantity: 5 }));
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Submitted');
    h.ib.placeOrder(1000, AAPL, order({ action: 'BUY' as any, orderType: 'LMT' as any, lmtPrice: 149.5, totalQuantity: 8 }));
    const [, , modified] = (await h.waitFor(EventName.openOrder, (a) => (a[2] as any).lmtPrice === 149.5)) as any[];
    expect(modified.totalQuantity).to.equal(8);
    h.ib.cancelOrder(1000);
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Cancelled');
    await h.waitFor(EventName.error, (a) => a[1] === 202 && a[2] === 1000);
    expect(h.all(EventName.execDetails)).to.have.length(0);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('reports positions, open orders, executions and account summary', async () => {
    const h = await setup();
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, order({ action: 'BUY' as any, orderType: 'MKT' as any, totalQuantity: 10 }));
    h.ib.placeOrder(1001, AAPL, order({ action: 'SELL' as any, orderType: 'LMT' as any, lmtPrice: 160, totalQuantity: 10 }));
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1001 && a[1] === 'Submitted');
    h.ib.reqPositions();
    const [account, contract, pos, avgCost] = (await h.waitFor(EventName.position)) as [string, any, number, number];
    expect([account, contract.symbol, pos, avgCost]).to.deep.equal(['DU0000001', 'AAPL', 10, 150.27]);
    await h.waitFor(EventName.positionEnd);
    h.ib.reqOpenOrders();
    await h.waitFor(EventName.openOrderEnd);
    const open = h
      .all(EventName.openOrder)
      .filter((a) => (a[3] as any).status === 'Submitted')
      .map((a) => a[0]);
    expect(open).to.include(1001);
    h.ib.reqExecutions(21, {} as any);
    await h.waitFor(EventName.execDetailsEnd, (a) => a[0] === 21);
    expect(h.all(EventName.execDetails).filter((a) => a[0] === 21)).to.have.length(1);
    h.ib.reqAccountSummary(16, 'All', 'NetLiquidation,TotalCashValue,AccountType');
    await h.waitFor(EventName.accountSummaryEnd, (a) => a[0] === 16);
    const summary = Object.fromEntries(h.all(EventName.accountSummary).map((a) => [a[2], a[3]]));
    expect(summary).to.deep.equal({ NetLiquidation: '999999.00', TotalCashValue: '998496.30', AccountType: 'INDIVIDUAL' });
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('holds a bracket until the last child transmits, then works children after the parent fill (OCA)', async () => {
    const h = await setup();
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(
      1000,
      AAPL,
      order({ action: 'BUY' as any, orderType: 'LMT' as any, lmtPrice: 150.3, totalQuantity: 10, transmit: false }),
    );
    h.ib.placeOrder(
      1001,
      AAPL,
      order({ action: 'SELL' as any, orderType: 'LMT' as any, lmtPrice: 151, totalQuantity: 10, parentId: 1000, transmit: false }),
    );
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1001);
    expect(h.all(EventName.execDetails)).to.have.length(0); // marketable but held
    h.ib.placeOrder(
      1002,
      AAPL,
      order({ action: 'SELL' as any, orderType: 'STP' as any, auxPrice: 149, totalQuantity: 10, parentId: 1000, transmit: true }),
    );
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1000 && a[1] === 'Filled');
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1001 && a[1] === 'Submitted');
    server!.publish(trade('AAPL', 151.05, 100));
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1001 && a[1] === 'Filled');
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1002 && a[1] === 'Cancelled');
    expect(h.all(EventName.execDetails).map((a) => (a[2] as any).orderId)).to.deep.equal([1000, 1001]);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('paces a market source on event time × speed through the injected clock', async () => {
    const clock = new StepClock(1_767_277_800_000_000);
    const t0 = 1_767_277_800_000_000;
    const market = scriptedMarket([
      quote('AAPL', 150, 150.02, 100, 100, t0),
      quote('AAPL', 150.01, 150.03, 100, 100, t0 + 1_000_000),
      trade('AAPL', 150.03, 10, t0 + 3_000_000),
    ]);
    const h = await setup({ clock, market, speed: 2, marketStart: 'manual' });
    h.ib.reqMktData(11, AAPL, '', false, false);
    await h.settle();
    expect(h.all(EventName.tickPrice)).to.have.length(0); // manual start: nothing plays before playMarket()
    await server!.playMarket();
    expect(clock.nowMicros() - 1_767_277_800_000_000).to.equal(1_500_000); // 3 s of event time at speed 2
    await h.settle();
    expect(h.all(EventName.tickPrice).map((a) => a[2])).to.deep.equal([150, 150.02, 150.01, 150.03, 150.03]);
  });

  it('keeps orders per client id across a reconnect: open orders and executions can be reconciled', async () => {
    const h = await setup();
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, order({ action: 'BUY' as any, orderType: 'MKT' as any, totalQuantity: 2 }));
    h.ib.placeOrder(1001, AAPL, order({ action: 'SELL' as any, orderType: 'LMT' as any, lmtPrice: 170, totalQuantity: 2 }));
    await h.waitFor(EventName.orderStatus, (a) => a[0] === 1001 && a[1] === 'Submitted');
    server!.inject({ kind: 'close' });
    await h.waitFor(EventName.disconnected);
    const again = await IbHarness.connect(server!.port, 7);
    clients.push(again);
    expect(await again.waitFor(EventName.nextValidId)).to.deep.equal([1002]);
    again.ib.reqOpenOrders();
    again.ib.reqExecutions(3, {} as any);
    await again.waitFor(EventName.execDetailsEnd);
    await again.waitFor(EventName.openOrderEnd);
    expect(again.all(EventName.openOrder).map((a) => a[0])).to.deep.equal([1001]);
    expect(again.all(EventName.execDetails).map((a) => [a[0], (a[2] as any).orderId])).to.deep.equal([[3, 1000]]);
    expect(again.decoderErrors()).to.deep.equal([]);
  });

  for (const sv of [176, 164, 150]) {
    it(`works end to end at server version ${sv}`, async () => {
      const h = await setup({ serverVersion: sv });
      expect(h.ib.serverVersion).to.equal(sv);
      server!.publish(quote('AAPL', 150.25, 150.27));
      h.ib.reqMktData(11, AAPL, '', false, false);
      h.ib.reqContractDetails(14, AAPL);
      h.ib.placeOrder(1000, AAPL, order({ action: 'SELL' as any, orderType: 'MKT' as any, totalQuantity: 3 }));
      await h.waitFor(EventName.commissionReport);
      await h.waitFor(EventName.contractDetailsEnd);
      h.ib.cancelOrder(1000);
      await h.waitFor(EventName.error, (a) => a[1] === 10148);
      await h.settle();
      expect(h.all(EventName.openOrder).length).to.be.greaterThan(0);
      expect(h.all(EventName.tickPrice).length).to.be.greaterThan(0);
      expect(h.decoderErrors()).to.deep.equal([]);
      expect(server!.stats.decodeErrors).to.equal(0);
    });
  }
});
