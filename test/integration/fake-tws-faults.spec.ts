import { EventName, type Contract, type Order } from '@stoqey/ib';
import { expect } from 'chai';
import { FakeTwsServer, StepClock, type ScenarioName } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { quote, trade } from '../../adapters/fake-tws/market-builders.js';

const AAPL = { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;
const buy = (o: Partial<Order> = {}): Order =>
  ({ action: 'BUY', orderType: 'MKT', totalQuantity: 10, tif: 'DAY', transmit: true, account: 'DU0000001', ...o }) as Order;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('fake TWS fault scenarios as the @stoqey/ib client sees them', () => {
  let server: FakeTwsServer | undefined;
  let clients: IbHarness[] = [];

  async function setup(scenario: ScenarioName, ready = true, clientId = 7): Promise<IbHarness> {
    server ??= await FakeTwsServer.start({ scenario, clock: new StepClock() });
    const h = await IbHarness.connect(server.port, clientId, ready);
    clients.push(h);
    return h;
  }

  afterEach(async () => {
    for (const c of clients) c.disconnect();
    clients = [];
    await server?.stop();
    server = undefined;
  });

  it('refuses a second connection with the same client id: 326 as info, then disconnected', async () => {
    const first = await setup('normal');
    const second = await setup('normal', false);
    await second.waitFor(EventName.disconnected);
    expect(second.infoCodes()).to.include(326);
    expect(second.all(EventName.nextValidId)).to.have.length(0);
    await first.settle(); // the first connection is untouched
    expect(first.decoderErrors()).to.deep.equal([]);
  });

  it('client-id-in-use scenario refuses every connection with 326', async () => {
    const h = await setup('client-id-in-use', false);
    await h.waitFor(EventName.disconnected);
    expect(h.infoCodes()).to.deep.equal([326]);
  });

  it('no-next-valid-id: connected, but nextValidId never comes and requests stay queued', async () => {
    const frames: string[] = [];
    server = await FakeTwsServer.start({ scenario: 'no-next-valid-id', clock: new StepClock() });
    server.on('frame', (f) => frames.push(f.request.kind));
    const h = await setup('no-next-valid-id', false);
    await h.waitFor(EventName.connected);
    h.ib.reqCurrentTime();
    await sleep(150);
    expect(h.all(EventName.nextValidId)).to.have.length(0);
    expect(frames).to.deep.equal(['startApi']);
  });

  for (const [scenario, codes] of [
    ['upstream-lost', [1100]],
    ['upstream-restored-data-lost', [1100, 1101]],
    ['upstream-restored-data-kept', [1100, 1102]],
    ['farm-flaps', [2103, 2104, 2105, 2106]],
  ] as const) {
    it(`${scenario}: ${codes.join(', ')} arrive as info with id -1`, async () => {
      const h = await setup(scenario);
      await h.settle();
      // The connect-time farm notices come first, then the scenario's codes in order.
      expect(h.infoCodes()).to.deep.equal([2104, 2106, 2158, ...codes]);
      expect(h.errorCodes()).to.deep.equal([]);
    });
  }

  it('competing-session: reqMktData gets a burst of 10–20 × 10197 for its request id', async () => {
    const h = await setup('competing-session');
    h.ib.reqMktData(11, AAPL, '', false, false);
    await h.settle();
    const errors = h.all(EventName.error).map((a) => [a[1], a[2]]);
    expect(errors.length).to.be.within(10, 20);
    expect(errors.every(([code, id]) => code === 10197 && id === 11)).to.equal(true);
  });

  it('no-subscription: reqMktData and reqMktDepth get 354', async () => {
    const h = await setup('no-subscription');
    h.ib.reqMktData(11, AAPL, '', false, false);
    h.ib.reqMktDepth(12, AAPL, 5, false, []);
    await h.settle();
    expect(h.all(EventName.error).map((a) => [a[1], a[2]])).to.deep.equal([
      [354, 11],
      [354, 12],
    ]);
  });

  it('pacing-violation: historical data gets 162', async () => {
    const h = await setup('pacing-violation');
    h.ib.reqHistoricalData(15, AAPL, '', '1 D', '1 min' as any, 'TRADES' as any, 1, 1, false);
    const [, code, reqId] = await h.waitFor(EventName.error);
    expect([code, reqId]).to.deep.equal([162, 15]);
  });

  it('duplicate-executions: the same execId arrives twice', async () => {
    const h = await setup('duplicate-executions');
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, buy());
    await h.waitFor(EventName.commissionReport);
    const ids = h.all(EventName.execDetails).map((a) => (a[2] as any).execId);
    expect(ids).to.have.length(2);
    expect(ids[0]).to.equal(ids[1]);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('exec-before-open-order: execDetails precedes the first openOrder and orderStatus', async () => {
    const h = await setup('exec-before-open-order');
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, buy());
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Filled');
    const names = h.names();
    expect(names.indexOf(EventName.execDetails)).to.be.lessThan(names.indexOf(EventName.openOrder));
    expect(names.indexOf(EventName.execDetails)).to.be.lessThan(names.indexOf(EventName.orderStatus));
  });

  it('commission-before-exec: commissionReport names an execId not yet seen', async () => {
    const h = await setup('commission-before-exec');
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, buy());
    await h.waitFor(EventName.execDetails);
    const names = h.names();
    expect(names.indexOf(EventName.commissionReport)).to.be.lessThan(names.indexOf(EventName.execDetails));
  });

  it('inactive: the order goes Inactive and never fills', async () => {
    const h = await setup('inactive');
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, buy());
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Inactive');
    await h.settle();
    expect(h.all(EventName.execDetails)).to.have.length(0);
  });

  it('partial-fills: fills in steps with growing cumQty and Submitted in between', async () => {
    const h = await setup('partial-fills');
    server!.publish(quote('AAPL', 150.25, 150.27));
    h.ib.placeOrder(1000, AAPL, buy({ totalQuantity: 10 }));
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Submitted' && a[2] === 5);
    server!.publish(quote('AAPL', 150.26, 150.28));
    server!.publish(trade('AAPL', 150.28));
    server!.publish(quote('AAPL', 150.26, 150.28));
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Filled');
    const cum = h.all(EventName.execDetails).map((a) => (a[2] as any).cumQty);
    expect(cum[0]).to.equal(5);
    expect(cum[cum.length - 1]).to.equal(10);
    expect(cum).to.deep.equal([...cum].sort((a, b) => a - b));
  });

  it('reject: 201 for the order id, then Cancelled', async () => {
    const h = await setup('reject');
    h.ib.placeOrder(1000, AAPL, buy());
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Cancelled');
    expect(h.all(EventName.error).map((a) => [a[1], a[2]])).to.deep.equal([[201, 1000]]);
  });

  it('duplicate-order-status: every orderStatus arrives twice', async () => {
    const h = await setup('duplicate-order-status');
    h.ib.placeOrder(1000, AAPL, buy({ orderType: 'LMT', lmtPrice: 100 } as Partial<Order>));
    await h.waitFor(EventName.orderStatus);
    await h.settle();
    expect(h.all(EventName.orderStatus)).to.have.length(2);
  });

  it('garbage-frames: the client reports 505s and keeps decoding later frames', async () => {
    const h = await setup('garbage-frames');
    await h.settle();
    expect(h.decoderErrors().length).to.be.greaterThan(0);
    expect(h.decoderErrors().every((e) => e.startsWith('505'))).to.equal(true);
    expect(h.all(EventName.currentTime)).to.have.length(1);
  });

  it('oversized-frame: the client stalls silently (no answer, no error)', async () => {
    const h = await setup('oversized-frame');
    h.ib.reqCurrentTime();
    await sleep(150);
    expect(h.all(EventName.currentTime)).to.have.length(0);
    expect(h.decoderErrors()).to.deep.equal([]);
  });

  it('socket-close: the server drops the socket and the client sees only disconnected', async () => {
    const h = await setup('socket-close');
    h.ib.reqCurrentTime();
    await h.waitFor(EventName.disconnected);
    expect(h.errorCodes()).to.deep.equal([]);
  });

  it('silent: the connection stays open but nothing is answered', async () => {
    const h = await setup('silent');
    h.ib.reqCurrentTime();
    await sleep(150);
    expect(h.ib.isConnected).to.equal(true);
    expect(h.all(EventName.currentTime)).to.have.length(0);
    expect(h.all(EventName.disconnected)).to.have.length(0);
  });

  it('unsupported-version: the client fails with 506 and disconnects', async () => {
    const h = await setup('unsupported-version', false);
    await h.waitFor(EventName.disconnected);
    expect(h.errorCodes()).to.include(506);
  });

  it('inject: scripted errors, fills and a socket close reach the targeted client', async () => {
    const h = await setup('normal');
    const other = await setup('normal', true, 8);
    server!.inject({ kind: 'error', code: 1100 }, { clientId: 7 });
    server!.inject({ kind: 'frame', fields: (m) => m.error(42, 354, 'Requested market data is not subscribed.') });
    h.ib.placeOrder(1000, AAPL, buy({ orderType: 'LMT', lmtPrice: 100 } as Partial<Order>));
    await h.waitFor(EventName.orderStatus, (a) => a[1] === 'Submitted');
    server!.inject({ kind: 'fill', orderId: 1000, quantity: 4, price: 99.5 });
    const [, , exec] = (await h.waitFor(EventName.execDetails)) as [number, any, any];
    expect(exec).to.include({ shares: 4, price: 99.5 });
    await h.settle();
    await other.settle();
    expect(h.infoCodes()).to.include(1100);
    expect(other.infoCodes()).to.not.include(1100);
    expect(other.all(EventName.error).map((a) => [a[1], a[2]])).to.deep.equal([[354, 42]]);
    server!.inject({ kind: 'close' }, { clientId: 8 });
    await other.waitFor(EventName.disconnected);
    await h.settle();
    expect(h.decoderErrors()).to.deep.equal([]);
  });
});
