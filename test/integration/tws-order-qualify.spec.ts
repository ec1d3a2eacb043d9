import { expect } from 'chai';
import type { OrderRequest } from '../../core/domain/orders.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { createTwsAdapter, sleep, until } from '../support/tws-adapter-harness.js';

const lmt = (coid: string, symbol: string, limitPrice = 1_200_000): OrderRequest => ({
  coid,
  symbol,
  side: 'buy',
  type: 'limit',
  quantity: 100,
  limitPrice,
  tif: 'day',
  orderRef: `hv:spec:${coid}`,
});

// The order path qualifies before it places (docs/tws-adapter.md#qualification: route by conId): the receipt and
// order.submitted come at once, the placement only once the contract is known; until then the order is local.
describe('TWS orders wait for contract qualification (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  let close: () => Promise<void> = async () => {};
  let frames: Array<{ kind: string; symbol?: string; conId?: number; price?: number }>;

  beforeEach(async () => {
    frames = [];
    server = await FakeTwsServer.start({
      clock: new StepClock(),
      accounts: ['DU0000001'],
      contracts: [{ symbol: 'XYZ', conId: 424_242, primaryExchange: 'NASDAQ' }],
    });
    // The adapter's connect-time read-only probe cancels an id never placed: not an order cancel, left out here.
    const placed = new Set<number>();
    server.on('frame', (f) => {
      const r = f.request;
      if (r.kind === 'contractData') frames.push({ kind: 'qualify', symbol: r.contract.symbol });
      if (r.kind === 'placeOrder') {
        placed.add(r.order.orderId);
        frames.push({
          kind: 'place',
          symbol: r.order.contract.symbol,
          conId: r.order.contract.conId,
          ...(r.order.lmtPrice !== undefined ? { price: r.order.lmtPrice } : {}),
        });
      }
      if (r.kind === 'cancelOrder' && placed.has(r.orderId)) frames.push({ kind: 'cancel' });
    });
  });
  afterEach(async () => {
    await close();
    await server.stop();
  });

  async function connected(clientId: number) {
    const t = createTwsAdapter(server.port, clientId);
    close = t.close;
    await t.broker.connect();
    return t;
  }

  it('the first order for a symbol is placed only after qualification, with the conId; the next one at once', async () => {
    const t = await connected(71);
    expect(t.broker.submit(lmt('C1', 'XYZ')).status).to.equal('sent');
    expect(
      t.of('order.submitted').map((p) => p.coid),
      'order.submitted at once',
    ).to.deep.equal(['C1']);
    expect(t.broker.openOrders()[0], 'held: no broker id yet').to.include({ coid: 'C1', brokerOrderId: null, status: 'PendingSubmit' });
    await until(() => t.of('order.accepted').length === 1, 'C1 accepted');
    expect(frames).to.deep.equal([
      { kind: 'qualify', symbol: 'XYZ' },
      { kind: 'place', symbol: 'XYZ', conId: 424_242, price: 120 },
    ]);
    t.broker.submit(lmt('C2', 'XYZ'));
    await until(() => t.of('order.accepted').length === 2, 'C2 accepted');
    expect(
      frames.filter((f) => f.kind === 'qualify'),
      'the cache answers the second order',
    ).to.have.length(1);
  });

  it('an unknown symbol ends in order.rejected{origin adapter, ORDER.UNKNOWN_INSTRUMENT}: a value, nothing placed', async () => {
    const t = await connected(72);
    expect(t.broker.submit(lmt('U1', 'NOSUCH')).status).to.equal('sent');
    await until(() => t.of('order.rejected').length === 1, 'U1 rejected');
    expect(t.of('order.rejected')[0]).to.include({ coid: 'U1', origin: 'adapter', code: 'ORDER.UNKNOWN_INSTRUMENT' });
    expect(frames.filter((f) => f.kind === 'place')).to.deep.equal([]);
    expect(t.broker.orderStatus('U1')).to.equal('Rejected');
    expect(t.broker.health().state).to.equal('Connected');
  });

  it('a cancel while the placement is held settles it locally; a modify changes what is placed', async () => {
    const t = await connected(73);
    t.broker.submit(lmt('C1', 'XYZ'));
    t.broker.cancel('C1');
    expect(t.of('order.cancelled')[0]).to.include({ coid: 'C1', filledQty: 0, cancelledQty: 100, reason: 'requested' });
    expect(t.of('order.cancel-requested'), 'nothing left the adapter').to.deep.equal([]);
    t.broker.submit(lmt('C2', 'XYZ'));
    t.broker.modify('C2', { limitPrice: 1_210_000 });
    expect(t.of('order.modified')[0]).to.include({ coid: 'C2', price: 1_210_000 });
    await until(() => t.of('order.accepted').length === 1, 'C2 accepted');
    await sleep(50);
    expect(
      frames.filter((f) => f.kind !== 'qualify'),
      'only C2 is placed, at the modified price',
    ).to.deep.equal([{ kind: 'place', symbol: 'XYZ', conId: 424_242, price: 121 }]);
    expect(t.of('order.modify-requested'), 'a held modify sends nothing of its own').to.deep.equal([]);
  });

  it('a bracket waits as one: its legs leave together, ids contiguous, children with the parent id', async () => {
    const t = await connected(74);
    const ids: number[] = [];
    const parents: number[] = [];
    server.on('frame', (f) => {
      if (f.request.kind === 'placeOrder') {
        ids.push(f.request.order.orderId);
        parents.push(f.request.order.parentId);
      }
    });
    const leg = (coid: string, side: 'buy' | 'sell', type: 'limit' | 'stop', price: number): OrderRequest => ({
      ...lmt(coid, 'XYZ'),
      side,
      type,
      ...(type === 'stop' ? { limitPrice: undefined, triggerPrice: price } : { limitPrice: price }),
      bracketId: 'B1',
      ...(coid === 'P' ? {} : { parentCoid: 'P', ocaGroup: 'B1' }),
    });
    expect(
      t.broker.submitBracket({
        bracketId: 'B1',
        parent: leg('P', 'buy', 'limit', 1_200_000),
        stopLoss: leg('S', 'sell', 'stop', 1_100_000),
        takeProfit: leg('T', 'sell', 'limit', 1_300_000),
      }).status,
    ).to.equal('sent');
    await until(() => t.of('order.accepted').length === 3, 'three legs accepted');
    expect(ids[1]).to.equal(ids[0]! + 1);
    expect(ids[2]).to.equal(ids[0]! + 2);
    expect(parents).to.deep.equal([0, ids[0], ids[0]]);
  });
});
