import { EventName, type Contract, type Order } from '@stoqey/ib';
import { expect } from 'chai';
import type { OrderRequest, SubmitReceipt } from '../../core/domain/orders.js';
import { RecordingBroker } from '../support/recording-broker.js';
import { BrokerBackedMatcher, FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { level, trade } from '../../adapters/fake-tws/market-builders.js';

const AAPL = { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;
const lmt = (price: number): Order =>
  ({ action: 'BUY', orderType: 'LMT', lmtPrice: price, totalQuantity: 10, tif: 'DAY', transmit: true }) as Order;

class RefusingBroker extends RecordingBroker {
  override submit(order: OrderRequest): SubmitReceipt {
    return { coid: order.coid, status: 'rejected', code: 'ORDER.REJECTED', reason: 'size' };
  }
}

describe('fake TWS with an IBrokerAdapter behind it (BrokerBackedMatcher)', () => {
  let server: FakeTwsServer | undefined;
  let client: IbHarness | undefined;
  afterEach(async () => {
    client?.disconnect();
    await server?.stop();
  });

  it('routes orders to the broker by TWS order id and turns its fills into execDetails', async () => {
    const broker = new RecordingBroker();
    const matcher = new BrokerBackedMatcher(broker);
    server = await FakeTwsServer.start({ clock: new StepClock(), matcher });
    client = await IbHarness.connect(server.port, 7);
    client.ib.placeOrder(1000, AAPL, lmt(150.25));
    await client.waitFor(EventName.orderStatus, (a) => a[1] === 'Submitted');
    expect(broker.submitted).to.have.length(1);
    expect(broker.submitted[0]).to.include({
      coid: '1000',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 1_502_500,
    });
    broker.emit('order.filled', {
      coid: '1000',
      execId: 'sim-1',
      symbol: 'AAPL',
      side: 'buy',
      qty: 10,
      price: 1_502_500,
      cumQty: 10,
      leavesQty: 0,
      status: 'Filled',
      commission: null,
      orderRef: '',
      at: 0,
    });
    const [, , exec] = (await client.waitFor(EventName.execDetails)) as [number, unknown, any];
    expect(exec).to.include({ orderId: 1000, shares: 10, price: 150.25 });
    await client.waitFor(EventName.orderStatus, (a) => a[1] === 'Filled');
    client.ib.cancelOrder(1000);
    await client.waitFor(EventName.error, (a) => a[1] === 10148);
    expect(broker.cancels).to.deep.equal([]);
    expect(client.decoderErrors()).to.deep.equal([]);
  });

  it('feeds the broker a MarketView with the same book the clients see', async () => {
    const matcher = new BrokerBackedMatcher(new RecordingBroker());
    const seen: number[] = [];
    matcher.view.onDepth((_e, book) => seen.push(book.bestBid));
    let trades = 0;
    matcher.view.onTrade(() => trades++);
    server = await FakeTwsServer.start({ clock: new StepClock(), matcher });
    server.publish(level('AAPL', 'bid', 150.24, 100));
    server.publish(level('AAPL', 'bid', 150.25, 200));
    server.publish(level('AAPL', 'ask', 150.27, 300));
    server.publish(trade('AAPL', 150.27, 5));
    const book = matcher.view.book('AAPL')!;
    expect([book.bestBid, book.bestAsk, book.bestBidSize, book.spread, book.levels('bid')]).to.deep.equal([
      1_502_500, 1_502_700, 200, 200, 2,
    ]);
    expect(seen).to.deep.equal([1_502_400, 1_502_500, 1_502_500]);
    expect(trades).to.equal(1);
  });

  it('a broker refusal reaches the client as 201 and Cancelled', async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), matcher: new BrokerBackedMatcher(new RefusingBroker()) });
    client = await IbHarness.connect(server.port, 7);
    client.ib.placeOrder(1000, AAPL, lmt(150));
    await client.waitFor(EventName.orderStatus, (a) => a[1] === 'Cancelled');
    const [err] = client.all(EventName.error);
    expect([err?.[1], err?.[2], (err?.[0] as Error).message]).to.deep.equal([201, 1000, 'Order rejected - reason:ORDER.REJECTED: size']);
  });
});
