import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twsManifest from '../../adapters/tws/index.js';
import type { TwsBrokerAdapter } from '../../adapters/tws/orders/broker.adapter.js';
import type { TwsMarketDataFeed } from '../../adapters/tws/market-data/market-data.feed.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import { Sfc32 } from '../../core/domain/random.js';
import type { DepthEvent } from '../../core/domain/market.js';
import { OrderBook } from '../../core/domain/order-book.js';
import type { BrokerEventName, BrokerEvents } from '../../ports/broker-adapter.js';
import { FakeTwsServer, StepClock } from '../../adapters/fake-tws/index.js';
import { level, quote } from '../../adapters/fake-tws/market-builders.js';

const ACCOUNT = 'DU0000001';

function create(port: number, clientId = 17, accountEnv?: string) {
  const clock = new WallClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'hv-tws-')); // a fresh id journal per adapter
  const quiet = { debug: () => {}, info: () => {}, warn: () => {} };
  const inst = twsManifest.create({
    pluginId: 'tws',
    params: twsManifest.paramsSchema.parse({
      port,
      clientId,
      connectTimeoutMs: 2_000,
      backoffMs: [50, 100],
      ...(accountEnv ? { accountEnv } : {}),
    }),
    clock,
    log: quiet,
    random: new Sfc32(1),
    mode: 'paper',
    seed: 1,
    secret: (n) => (({ HV_TEST_TWS_ACCOUNT: ACCOUNT, HV_WRONG_ACCOUNT: 'DU9999999' }) as Record<string, string>)[n],
    instrument: () => undefined,
    market: { book: () => undefined, onDepth: () => () => {}, onTrade: () => () => {} },
    account: { id: null, currency: 'USD', startEquity: 1_000_000_000 },
    session: { date: '2026-01-02', timeZone: 'America/New_York', start: 0, end: 0 },
    dataDir,
  }) as { broker: TwsBrokerAdapter; feed: TwsMarketDataFeed; close: () => Promise<void> };
  const close = async (): Promise<void> => {
    await inst.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const events: { name: BrokerEventName; p: Record<string, unknown> }[] = [];
  for (const name of [
    'connection.changed',
    'order.submitted',
    'order.accepted',
    'order.filled',
    'commission.reported',
    'order.cancelled',
    'order.rejected',
    'position.changed',
    'broker.anomaly',
  ] as BrokerEventName[]) {
    inst.broker.on(name, (p: BrokerEvents[typeof name]) => events.push({ name, p: p as unknown as Record<string, unknown> }));
  }
  return { ...inst, close, events };
}

async function until(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TWS adapter on @stoqey/ib against the fake TWS over loopback', () => {
  let server: FakeTwsServer | undefined;
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server?.stop();
    server = undefined;
  });

  it('connects, checks the account, routes a market order and joins its execution with the commission', async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [ACCOUNT] });
    const t = create(server.port, 17, 'HV_TEST_TWS_ACCOUNT');
    closers.push(t.close);
    await t.broker.connect();
    expect(t.broker.health()).to.include({ state: 'Connected', canTrade: true, account: ACCOUNT });
    server.publish(quote('AAPL', 150.25, 150.27));
    const r = t.broker.submit({
      coid: 'c1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'market',
      quantity: 10,
      tif: 'day',
      orderRef: 'hv:test:c1',
    });
    expect(r.status).to.equal('sent');
    await until(() => t.events.some((e) => e.name === 'order.filled'));
    await until(
      () =>
        t.events.some((e) => e.name === 'commission.reported') || t.events.find((e) => e.name === 'order.filled')!.p.commission !== null,
    );
    const fill = t.events.find((e) => e.name === 'order.filled')!.p;
    expect(fill).to.include({ coid: 'c1', qty: 10, price: 1_502_700, status: 'Filled' });
    const names = t.events.map((e) => e.name);
    expect(names.indexOf('order.accepted')).to.be.lessThan(names.indexOf('order.filled'));
    const commission = (fill.commission as number | null) ?? (t.events.find((e) => e.name === 'commission.reported')!.p.amount as number);
    expect(commission).to.equal(10_000);
    expect(t.broker.positions()).to.deep.equal([{ symbol: 'AAPL', quantity: 10, averagePrice: 1_502_700, realizedPnl: 0 }]);
  });

  it('refuses a configured account that TWS does not manage', async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [ACCOUNT] });
    const t = create(server.port, 18, 'HV_WRONG_ACCOUNT');
    closers.push(t.close);
    let code = '';
    let message = '';
    await t.broker.connect().catch((e: { code: string; message: string }) => {
      code = e.code;
      message = e.message;
    });
    expect(code).to.equal('BROKER.AUTH_FAILED');
    // The refusal names the setting to fix and what TWS is logged in to (by kind, never by id).
    expect(message).to.contain('account.id').and.to.contain('1 paper account (DU…)');
    expect(message).to.not.contain(ACCOUNT);
    expect(t.broker.health().canTrade).to.equal(false);
  });

  it('fails clearly on 326 when the client id is in use', async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [ACCOUNT] });
    const a = create(server.port, 21);
    closers.push(a.close);
    await a.broker.connect();
    const b = create(server.port, 21);
    closers.push(b.close);
    let code = '';
    await b.broker.connect().catch((e: { code: string }) => {
      code = e.code;
    });
    expect(code).to.equal('BROKER.CLIENT_ID_IN_USE');
  });

  it('turns IB depth rows into row-semantics deltas with end-of-batch marks that rebuild the book', async () => {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [ACCOUNT] });
    const t = create(server.port, 19);
    closers.push(t.close);
    await t.broker.connect();
    const rows: DepthEvent[] = [];
    const book = new OrderBook('AAPL', { maxLevels: 20, topN: 5 });
    t.feed.on('depth.updated', (e) => {
      rows.push({ ...e });
      book.apply(e);
    }); // the feed reuses its event objects: keep copies
    expect(t.feed.subscribe('AAPL', 'depth', { levels: 5 }).ok).to.equal(true);
    // The client's rate limiter may hold the request behind the connect-time reconciliation queries.
    await until(() => server!.market.subs.some((s) => s.kind === 'depth'));
    server.publish(level('AAPL', 'bid', 150.25, 300));
    server.publish(level('AAPL', 'ask', 150.27, 200));
    server.publish(level('AAPL', 'bid', 150.24, 500));
    await until(() => book.levels('bid') === 2 && book.levels('ask') === 1);
    expect(book.bestBid).to.equal(1_502_500);
    expect(book.bestAsk).to.equal(1_502_700);
    expect(book.sizeAt('bid', 1)).to.equal(500);
    expect(rows.every((r) => r.position >= 0)).to.equal(true);
    expect(rows.at(-1)!.endOfBatch).to.equal(true);
    expect(rows.map((r) => r.seq)).to.deep.equal(rows.map((_, i) => i + 1));
    expect(t.feed.usage().depth.used).to.equal(1);
  });
  describe('under injected faults (fake TWS scenarios)', () => {
    async function tradeUnder(
      scenario: Parameters<typeof FakeTwsServer.start>[0] extends infer O ? (O extends { scenario?: infer S } ? S : never) : never,
      clientId: number,
    ) {
      server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [ACCOUNT], scenario });
      const t = create(server.port, clientId);
      closers.push(t.close);
      await t.broker.connect();
      server.publish(quote('AAPL', 150.25, 150.27));
      t.broker.submit({ coid: 'c1', symbol: 'AAPL', side: 'buy', type: 'market', quantity: 10, tif: 'day', orderRef: 'hv:test:c1' });
      return t;
    }

    for (const scenario of ['duplicate-executions', 'commission-before-exec', 'exec-before-open-order'] as const) {
      it(`${scenario}: exactly one fill per exec id, accepted first, one commission`, async () => {
        const t = await tradeUnder(scenario, 30);
        await until(() => t.events.some((e) => e.name === 'order.filled'));
        await new Promise((r) => setTimeout(r, 150));
        const fills = t.events.filter((e) => e.name === 'order.filled');
        expect(new Set(fills.map((f) => f.p.execId)).size).to.equal(fills.length);
        expect(fills.reduce((n, f) => n + (f.p.qty as number), 0)).to.equal(10);
        const names = t.events.map((e) => e.name);
        expect(names.indexOf('order.accepted')).to.be.lessThan(names.indexOf('order.filled'));
        const commissions =
          fills.filter((f) => f.p.commission !== null).length + t.events.filter((e) => e.name === 'commission.reported').length;
        expect(commissions).to.equal(fills.length);
        expect(t.broker.positions()[0]?.quantity).to.equal(10);
        // The scenario really repeated executions: the adapter saw and dropped them.
        if (scenario === 'duplicate-executions') expect(t.events.some((e) => e.name === 'broker.anomaly')).to.equal(true);
      });
    }

    it('reject: a 201 becomes order.rejected from the broker, and nothing fills', async () => {
      const t = await tradeUnder('reject', 31);
      await until(() => t.events.some((e) => e.name === 'order.rejected'));
      expect(t.events.find((e) => e.name === 'order.rejected')!.p).to.include({ coid: 'c1', origin: 'broker', venueCode: 201 });
      expect(t.events.some((e) => e.name === 'order.filled')).to.equal(false);
    });
  });
});
