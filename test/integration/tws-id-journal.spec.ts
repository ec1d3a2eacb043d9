import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idJournalPath } from '../../adapters/tws/orders/id-journal.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { createTwsAdapter, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

const limit = (coid: string, price: number, orderRef: string, quantity = 10) => ({
  coid,
  symbol: 'AAPL',
  side: 'buy' as const,
  type: 'limit' as const,
  quantity,
  limitPrice: price,
  tif: 'day' as const,
  orderRef,
});

// A restart is a new adapter (a new process) on the same data directory and client id, against a venue that kept
// the orders. The orderRefs here are a strategy's own (no hv: prefix): only the journal can give the coids back.
describe('TWS id journal across a restart (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  let dataDir: string;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT] });
    dataDir = mkdtempSync(join(tmpdir(), 'hv-ids-int-'));
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function adapter(clientId: number) {
    const t = createTwsAdapter(server.port, clientId, {}, undefined, { dataDir });
    closers.push(t.close);
    return t;
  }

  it('adopts the orders of the previous run with their original coids, by permId, and keeps trading them', async () => {
    const path = idJournalPath(dataDir, 90);
    const journaledAtSend: boolean[] = [];
    server.on('frame', (f) => {
      // The mapping is on disk before TWS sees the placement: a crash right after the send loses nothing.
      if (f.request.kind === 'placeOrder')
        journaledAtSend.push(existsSync(path) && readFileSync(path, 'utf8').includes(`"orderId":${f.request.order.orderId},`));
    });
    const a = adapter(90);
    await a.broker.connect();
    a.broker.submit(limit('C1', 1_000_000, 'alpha-7'));
    a.broker.submit(limit('C2', 1_010_000, 'alpha-7', 20)); // the same orderRef: only the permId tells them apart
    await until(() => a.of('order.accepted').length === 2, 'two acks');
    const permIds = Object.fromEntries(a.of('order.accepted').map((p) => [p.coid, p.permId]));
    expect(journaledAtSend).to.deep.equal([true, true]);
    await a.broker.dispose(); // the process dies; TWS keeps the orders

    const b = adapter(90);
    await b.broker.connect();
    expect(b.of('reconciliation.completed')[0]).to.deep.include({ status: 'complete', adopted: 2, adoptedCoids: ['C1', 'C2'] });
    expect(b.of('order.adopted').map((p) => [p.coid, p.external, p.permId])).to.deep.equal([
      ['C1', false, permIds.C1],
      ['C2', false, permIds.C2],
    ]);
    expect(b.broker.openOrders().map((o) => [o.coid, o.limitPrice, o.quantity, o.orderRef])).to.deep.equal([
      ['C1', 1_000_000, 10, 'alpha-7'],
      ['C2', 1_010_000, 20, 'alpha-7'],
    ]);
    b.broker.cancel('C2');
    await until(() => b.of('order.cancelled').length === 1, 'cancel of adopted C2');
    expect(b.of('order.cancelled')[0]).to.include({ coid: 'C2', reason: 'requested' });
    b.broker.submit(limit('C3', 990_000, 'alpha-8'));
    await until(() => b.of('order.accepted').some((p) => p.coid === 'C3'), 'ack of C3');
    expect(b.of('order.rejected')).to.deep.equal([]);
    // Identifiers only: no account id in the journal.
    expect(readFileSync(path, 'utf8')).to.not.include(TEST_ACCOUNT);
  });

  it('without the journal (another data directory) the same orders are external: the journal is what recognises them', async () => {
    const a = adapter(91);
    await a.broker.connect();
    a.broker.submit(limit('C1', 1_000_000, 'alpha-9'));
    await until(() => a.of('order.accepted').length === 1, 'ack');
    await a.broker.dispose();
    const b = createTwsAdapter(server.port, 91); // a fresh, empty data directory
    closers.push(b.close);
    await b.broker.connect();
    expect(b.of('order.adopted')).to.deep.equal([]);
    expect((b.of('reconciliation.completed')[0]!.discrepancies as string[]).some((d) => d.startsWith('external order'))).to.equal(true);
  });
});
