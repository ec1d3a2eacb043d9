import { EventName, type Contract, type Order } from '@stoqey/ib';
import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { BrokerEvents } from '../../ports/broker-adapter.js';
import { FakeTwsServer, type FakeTwsOptions } from '../../adapters/fake-tws/index.js';
import { IbHarness } from '../../adapters/fake-tws/ib-client-harness.js';
import { socketsQuiet } from '../conformance/support/fake-tws-driver.js';
import { createTwsAdapter, runClock as drive, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

const START = Date.UTC(2026, 2, 10, 14, 0, 0) * 1000;
const S = 1_000_000;
const DOLLAR = 10_000;
const AAPL = { symbol: 'AAPL', secType: 'STK', exchange: 'SMART', currency: 'USD' } as Contract;

// Account truth, the periodic reconciliation, commission-missing and clock skew, through the TWS adapter against the
// fake TWS over loopback. Every timer runs on a manual Clock that only runClock moves; the fake's clock reads the
// same Clock, so its currentTime and the adapter's receive time agree unless a test skews the fake.
describe('TWS adapter account truth, periodic reconciliation, commission-missing and clock skew (fake TWS)', function () {
  this.timeout(30_000);
  let server: FakeTwsServer;
  let clock: ManualClock;
  const closers: Array<() => Promise<void> | void> = [];

  async function start(options: FakeTwsOptions = {}): Promise<void> {
    clock = new ManualClock(START);
    server = await FakeTwsServer.start({
      accounts: [TEST_ACCOUNT],
      startingCash: 250_000,
      ...options,
      clock: { nowMicros: () => clock.now(), sleep: () => new Promise((r) => setImmediate(r)) },
    });
  }
  afterEach(async () => {
    for (const c of closers.splice(0)) await Promise.resolve(c()).catch(() => undefined);
    await server.stop();
  });

  const runClock = (o: { to: number; done?: () => boolean; what?: string }) => drive(clock, { ...o, io: () => socketsQuiet(server) });

  function adapter(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, { accountEnv: 'HV_TEST_TWS_ACCOUNT', ...params }, clock);
    closers.push(t.close);
    const seen: { account: BrokerEvents['account.updated'][]; skew: BrokerEvents['clock.skew'][] } = { account: [], skew: [] };
    t.broker.on('account.updated', (p) => seen.account.push(p));
    t.broker.on('clock.skew', (p) => seen.skew.push(p));
    return { ...t, seen };
  }

  async function connect(t: ReturnType<typeof adapter>): Promise<void> {
    const connecting = t.broker.connect();
    await runClock({ to: clock.now() + S, done: () => t.connection.state === 'Connected', what: 'Connected' });
    await connecting;
  }

  /** A manual order by another client (TWS's own window, say), force-filled: the account holds shares we never traded. */
  async function externalFill(quantity: number, orderId = 7_000): Promise<void> {
    const manual = await IbHarness.connect(server.port, 99);
    manual.ib.placeOrder(orderId, AAPL, {
      action: 'BUY',
      orderType: 'LMT',
      lmtPrice: 100,
      totalQuantity: quantity,
      tif: 'DAY',
      transmit: true,
      account: TEST_ACCOUNT,
      orderRef: 'manual',
    } as Order);
    await manual.waitFor(EventName.orderStatus);
    server.inject({ kind: 'fill', orderId, price: 100 });
    await manual.waitFor(EventName.execDetails);
    manual.disconnect();
    await until(() => server.live().length === 1, 'manual client gone');
  }

  it('reads net liquidation, buying power and cash from the account summary at connect (not the configured equity)', async () => {
    await start();
    const t = adapter(60);
    let summaries = 0;
    server.on('frame', (f) => {
      if (f.request.kind === 'accountSummary') summaries++;
    });
    await connect(t);
    expect(summaries).to.equal(1);
    const snap = t.broker.accountSnapshot();
    // The harness configures 100,000 of start equity; the fake account holds 250,000 of cash.
    expect(snap).to.include({
      source: 'venue',
      account: TEST_ACCOUNT,
      equity: 250_000 * DOLLAR,
      cash: 250_000 * DOLLAR,
      buyingPower: 1_000_000 * DOLLAR,
    });
    expect(t.seen.account.map((a) => a.equity)).to.deep.equal([250_000 * DOLLAR]);
  });

  it('reconciles every reconcileIntervalMs on the Clock: an external position is found, the broker wins, the difference is reported', async () => {
    await start();
    const t = adapter(61, { reconcileIntervalMs: 60_000 });
    await connect(t);
    const t0 = clock.now();
    await externalFill(5);
    expect(t.broker.positions()).to.deep.equal([]);
    await runClock({ to: t0 + 59 * S });
    expect(
      t.of('reconciliation.started').map((p) => p.trigger),
      'nothing before the period',
    ).to.deep.equal(['connect']);
    await runClock({ to: t0 + 61 * S, done: () => t.of('reconciliation.completed').length === 2, what: 'the periodic pass' });
    expect(t.of('reconciliation.started').map((p) => p.trigger)).to.deep.equal(['connect', 'periodic']);
    const pass = t.of('reconciliation.completed')[1]!;
    expect(pass).to.include({ status: 'complete' });
    expect(pass.discrepancies).to.include('AAPL +5');
    expect(t.broker.positions().map((p) => [p.symbol, p.quantity])).to.deep.equal([['AAPL', 5]]);
    expect(t.of('position.changed').at(-1)).to.include({ symbol: 'AAPL', qty: 5, source: 'reconcile' });
    // …and the account figures are refreshed with it (the fake's cash paid for the shares).
    expect(t.seen.account.length).to.equal(2);
    expect(t.seen.account[1]!.cash).to.be.lessThan(250_000 * DOLLAR);
    // The next pass comes one period later again, with nothing new to report.
    await runClock({ to: t0 + 121 * S, done: () => t.of('reconciliation.completed').length === 3, what: 'the second periodic pass' });
    expect(t.of('reconciliation.completed')[2]!.discrepancies).to.deep.equal([]);
  });

  it('commission-missing: a fill whose commission report never comes is an anomaly after commissionTimeoutMs; one that comes is not', async () => {
    await start({ scenario: 'no-commission' });
    const t = adapter(62, { commissionTimeoutMs: 30_000, reconcileIntervalMs: 0 });
    await connect(t);
    t.broker.submit({
      coid: 'B1',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 1_000_000,
      tif: 'day',
      orderRef: 'hv:t1:B1',
    });
    await runClock({ to: clock.now() + 2 * S, done: () => t.of('order.accepted').length === 1, what: 'ack' });
    server.inject({ kind: 'fill', orderId: [...server.desk.orders.keys()].at(-1)!, price: 100 });
    await runClock({ to: clock.now() + 2 * S, done: () => t.of('order.filled').length === 1, what: 'fill' });
    const fill = t.of('order.filled')[0]!;
    expect(fill.commission).to.equal(null);
    const t0 = clock.now();
    await runClock({ to: t0 + 29 * S });
    expect(t.of('broker.anomaly').filter((a) => a.kind === 'commission-missing')).to.deep.equal([]);
    await runClock({ to: t0 + 31 * S });
    const missing = t.of('broker.anomaly').filter((a) => a.kind === 'commission-missing');
    expect(missing.length).to.equal(1);
    expect(missing[0]!.details).to.include({ execId: fill.execId, coid: 'B1', symbol: 'AAPL' });

    // A well-behaved TWS: the commission comes and nothing is reported.
    server.scenario = 'normal';
    t.broker.submit({
      coid: 'B2',
      symbol: 'AAPL',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 1_000_000,
      tif: 'day',
      orderRef: 'hv:t1:B2',
    });
    await runClock({ to: clock.now() + 2 * S, done: () => t.of('order.accepted').length === 2, what: 'ack 2' });
    server.inject({ kind: 'fill', orderId: [...server.desk.orders.keys()].at(-1)!, price: 100 });
    await runClock({ to: clock.now() + 2 * S, done: () => t.of('commission.reported').length === 1, what: 'commission 2' });
    await runClock({ to: clock.now() + 40 * S });
    expect(t.of('broker.anomaly').filter((a) => a.kind === 'commission-missing').length).to.equal(1);
  });

  it('clock skew: one event per band change — warn above clockSkewWarnMs, safe-mode above clockSkewSafeModeMs, ok again', async () => {
    await start();
    const t = adapter(63, {
      heartbeatIntervalMs: 10_000,
      heartbeatTimeoutMs: 5_000,
      clockSkewWarnMs: 2_000,
      clockSkewSafeModeMs: 5_000,
      reconcileIntervalMs: 0,
    });
    await connect(t);
    const t0 = clock.now();
    // TWS's currentTime is whole seconds, so a clock in sync measures between −1 s and 0.
    const band = (s: BrokerEvents['clock.skew']) => [s.level, Math.ceil(s.skewMs / 1_000)];
    await runClock({ to: t0 + 21 * S });
    expect(t.seen.skew, 'in sync: nothing to say').to.deep.equal([]);
    expect(Math.abs(t.broker.health().clockSkew!)).to.be.lessThan(S);
    server.clockSkewMs = 3_500;
    await runClock({ to: t0 + 41 * S });
    expect(t.seen.skew.map(band)).to.deep.equal([['warn', 3]]);
    server.clockSkewMs = -8_000;
    await runClock({ to: t0 + 61 * S });
    server.clockSkewMs = 0;
    await runClock({ to: t0 + 71 * S });
    expect(t.seen.skew.map(band)).to.deep.equal([
      ['warn', 3],
      ['safe-mode', -8],
      ['ok', 0],
    ]);
    expect(t.seen.skew[1]).to.include({ warnMs: 2_000, safeModeMs: 5_000 });
  });
});
