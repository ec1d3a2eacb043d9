import { expect } from 'chai';
import { AutoTriggers, type EscalationTarget, type Subscribe } from '../../core/risk/auto-triggers.js';
import { WallClock } from '../../adapters/system-clock/wall-clock.js';
import type { RiskReason, TradingState } from '../../ports/risk-policy.js';
import { FakeTwsServer, StepClock, type ScenarioName } from '../../adapters/fake-tws/index.js';
import { level, quote } from '../../adapters/fake-tws/market-builders.js';
import { createTwsAdapter, sleep, TEST_ACCOUNT, until } from '../support/tws-adapter-harness.js';

const market = (coid: string, quantity = 10) => ({
  coid,
  symbol: 'AAPL',
  side: 'buy' as const,
  type: 'market' as const,
  quantity,
  tif: 'day' as const,
  orderRef: `hv:faults:${coid}`,
});
const resting = (coid: string) => ({ ...market(coid), type: 'limit' as const, limitPrice: 1_000_000 });

/** Faults injected by the fake TWS over loopback, observed through the adapter (broker + feed on one connection). */
describe('TWS adapter under injected faults (fake TWS over loopback)', function () {
  this.timeout(15_000);
  let server: FakeTwsServer;
  const closers: Array<() => Promise<void>> = [];
  let frames: Array<{ kind: string; reqId?: number }> = [];

  async function start(scenario: ScenarioName = 'normal'): Promise<void> {
    server = await FakeTwsServer.start({ clock: new StepClock(), accounts: [TEST_ACCOUNT], scenario });
    frames = [];
    server.on('frame', (f) => frames.push({ kind: f.request.kind, reqId: (f.request as { reqId?: number }).reqId }));
  }

  async function connected(clientId: number, params: Record<string, unknown> = {}) {
    const t = createTwsAdapter(server.port, clientId, params);
    closers.push(t.close);
    await t.broker.connect();
    return t;
  }

  afterEach(async () => {
    for (const c of closers.splice(0)) await c().catch(() => undefined);
    await server.stop();
  });

  const fillsOk = (t: Awaited<ReturnType<typeof connected>>, qty: number): void => {
    const fills = t.of('order.filled');
    expect(new Set(fills.map((f) => f.execId)).size).to.equal(fills.length);
    expect(fills.reduce((n, f) => n + (f.qty as number), 0)).to.equal(qty);
    const commissions = fills.filter((f) => f.commission !== null).length + t.of('commission.reported').length;
    expect(commissions).to.equal(fills.length);
    expect(t.broker.positions()[0]?.quantity ?? 0).to.equal(qty);
  };

  it('socket close: Reconnecting → Connected after a complete reconciliation; no fill lost or duplicated', async () => {
    await start();
    const t = await connected(80);
    server.publish(quote('AAPL', 150.25, 150.27));
    t.broker.submit(market('S1'));
    t.broker.submit(resting('S2'));
    await until(() => t.of('order.filled').length === 1 && t.of('order.accepted').length === 2, 'S1 filled, S2 resting');
    const s2 = [...server.desk.orders.values()].find((o) => o.placed.orderRef === 'hv:faults:S2')!;
    server.inject({ kind: 'close' });
    server.inject({ kind: 'fill', orderId: s2.orderId });
    await until(() => t.connection.state === 'Connected' && t.chain().length === 4, 'back to Connected');
    expect(t.chain().slice(2)).to.deep.equal(['Connected→Reconnecting', 'Reconnecting→Connected']);
    expect(t.of('connection.changed')[2]).to.include({ reason: 'socket closed' });
    expect(t.of('reconciliation.completed').at(-1)).to.include({ status: 'complete' });
    await until(
      () => t.of('commission.reported').length + t.of('order.filled').filter((f) => f.commission !== null).length === 2,
      'commissions',
    );
    fillsOk(t, 20);
  });

  it('silent socket: the heartbeat detects it and the adapter reconnects', async () => {
    await start();
    const t = await connected(81, { heartbeatIntervalMs: 30, heartbeatTimeoutMs: 60 });
    server.inject({ kind: 'silence' });
    await until(() => t.chain().includes('Reconnecting→Connected'), 'reconnected');
    expect(String(t.of('connection.changed').find((c) => c.to === 'Reconnecting')!.reason)).to.match(/^heartbeat/);
  });

  it('oversized frame (a length prefix past the 16 MiB limit): the framing is lost, so the link reconnects at once', async () => {
    await start();
    const t = await connected(82);
    server.inject({ kind: 'oversized' });
    await until(() => t.chain().includes('Reconnecting→Connected'), 'reconnected');
    expect(String(t.of('connection.changed').find((c) => c.to === 'Reconnecting')!.reason)).to.match(
      /^malformed inbound frames \(length-prefix/,
    );
    expect(t.broker.health().canTrade).to.equal(true);
  });

  it('1100 ×50 → 1102: one Degraded, orders refused meanwhile, reconciled, Connected; market data not re-requested', async () => {
    await start();
    const t = await connected(83);
    t.feed.subscribe('AAPL', 'depth', { levels: 5 });
    await until(() => frames.some((f) => f.kind === 'mktDepth'), 'depth requested');
    for (let i = 0; i < 50; i++) server.inject({ kind: 'error', code: 1100 });
    await until(() => t.connection.state === 'Degraded', 'Degraded');
    expect(t.broker.submit(market('D1'))).to.include({ status: 'rejected', code: 'BROKER.NOT_CONNECTED' });
    server.inject({ kind: 'error', code: 1102 });
    await until(() => t.connection.state === 'Connected', 'Connected');
    expect(t.chain().slice(2)).to.deep.equal(['Connected→Degraded', 'Degraded→Connected']);
    expect(t.of('reconciliation.started').map((r) => r.trigger)).to.deep.equal(['connect', 'restored']);
    expect(frames.filter((f) => f.kind === 'mktDepth')).to.have.length(1);
    expect(t.of('feed.resubscribed')).to.deep.equal([]);
    expect(t.of('broker.error').filter((e) => e.code === 1100)).to.have.length(1); // the repeats are folded
  });

  it('1100 → 1101: Degraded, market data re-requested with new ids (new epoch), reconciled, Connected; fills during the outage are kept', async () => {
    await start();
    const t = await connected(84);
    t.feed.subscribe('AAPL', 'depth', { levels: 5 });
    await until(() => frames.some((f) => f.kind === 'mktDepth'), 'depth requested');
    t.broker.submit(resting('U1'));
    await until(() => t.of('order.accepted').length === 1, 'U1 working');
    server.inject({ kind: 'error', code: 1100 });
    await until(() => t.connection.state === 'Degraded', 'Degraded');
    const u1 = [...server.desk.orders.values()].find((o) => o.placed.orderRef === 'hv:faults:U1')!;
    server.inject({ kind: 'fill', orderId: u1.orderId }); // reports keep flowing while Degraded (LEAN #249)
    await until(() => t.of('order.filled').length === 1, 'fill applied while Degraded');
    server.inject({ kind: 'error', code: 1101 });
    await until(() => t.connection.state === 'Connected', 'Connected');
    const depthIds = frames.filter((f) => f.kind === 'mktDepth').map((f) => f.reqId!);
    expect(depthIds).to.have.length(2);
    expect(depthIds[1]).to.be.greaterThan(depthIds[0]!);
    expect(t.of('feed.resubscribed')).to.deep.equal([{ symbol: 'AAPL', stream: 'depth', epoch: 2 }]);
    expect(t.of('reconciliation.completed').at(-1)).to.include({ status: 'complete' });
    expect(t.chain().slice(2)).to.deep.equal(['Connected→Degraded', 'Degraded→Connected']);
    server.publish(level('AAPL', 'bid', 150.25, 300));
    await until(() => t.of('depth.updated').some((d) => d.epoch === 2), 'rows on the new epoch');
  });

  it('farm flaps (2103/2104/2105/2106/2107/2108/2119/2158): no state change, orders still route', async () => {
    await start();
    const t = await connected(85);
    for (const code of [2103, 2104, 2105, 2106, 2107, 2108, 2119, 2157, 2158]) server.inject({ kind: 'error', code });
    await sleep(50);
    expect(t.chain()).to.deep.equal(['Disconnected→Connecting', 'Connecting→Connected']);
    expect(t.of('broker.error').map((e) => e.code)).to.deep.equal([2103, 2105, 2157]);
    expect(t.of('broker.error').every((e) => e.severity === 'warn')).to.equal(true);
    expect(t.broker.submit(resting('F1')).status).to.equal('sent');
    await until(() => t.of('order.accepted').length === 1, 'F1 accepted');
  });

  it('10197 (competing session): the burst is routed to the quote request, folded into one warning, the subscription kept', async () => {
    await start('competing-session');
    const t = await connected(86);
    expect(t.feed.subscribe('AAPL', 'quote').ok).to.equal(true);
    await until(() => t.of('broker.error').some((e) => e.code === 10197), '10197');
    await sleep(50);
    expect(t.of('broker.error').filter((e) => e.code === 10197)).to.have.length(1);
    expect(t.of('feed.failed')).to.deep.equal([]);
    expect(t.feed.usage().lines.used).to.equal(1);
    expect(t.connection.state).to.equal('Connected');
  });

  it('162 (pacing violation): routed to its historical request, retried after backoff, then rejected with RISK.PACING', async () => {
    await start('pacing-violation');
    const t = await connected(87);
    let sends = 0;
    const req = t.connection.call({
      type: 'historical',
      origin: 'spec',
      deadlineMs: 2_000,
      retries: 1,
      retryDelayMs: 20,
      send: (id) => {
        sends++;
        t.connection.ib.reqHistoricalData(
          id,
          { symbol: 'AAPL', secType: 'STK' as never, exchange: 'SMART', currency: 'USD' },
          '',
          '1 D',
          '1 min' as never,
          'TRADES',
          1,
          1,
          false,
        );
      },
    });
    const error = await req.then(
      () => null,
      (e: { code: string }) => e,
    );
    expect(error?.code).to.equal('RISK.PACING');
    expect(sends).to.equal(2);
    // The request's own answer, not a session-wide error: no broker.error for the kill switch to halt on.
    expect(t.of('broker.error').filter((e) => e.code === 162)).to.have.length(0);
    expect(t.connection.state).to.equal('Connected');
    expect(t.connection.registry.entries().filter((e) => e.type === 'historical')).to.deep.equal([]);
  });

  it('354 (not subscribed): only that subscription fails and its line is released', async () => {
    await start('no-subscription');
    const t = await connected(88);
    expect(t.feed.subscribe('AAPL', 'depth', { levels: 5 }).ok).to.equal(true);
    await until(() => t.of('feed.failed').length === 1, 'feed.failed');
    expect(t.of('feed.failed')[0]).to.include({ symbol: 'AAPL', stream: 'depth', code: 'FEED.NOT_ENTITLED' });
    expect(t.feed.usage().depth.used).to.equal(0);
    expect(t.connection.state).to.equal('Connected');
  });

  for (const scenario of ['duplicate-executions', 'exec-before-open-order', 'commission-before-exec'] as const) {
    it(`${scenario}: accepted before filled, exactly one fill per exec id, commission once`, async () => {
      await start(scenario);
      const t = await connected(89);
      server.publish(quote('AAPL', 150.25, 150.27));
      t.broker.submit(market('E1'));
      await until(() => t.of('order.filled').length === 1, 'fill');
      await sleep(60);
      const names = t.events.map((e) => e.name);
      expect(names.indexOf('order.accepted')).to.be.lessThan(names.indexOf('order.filled'));
      fillsOk(t, 10);
      if (scenario === 'duplicate-executions') expect(t.of('broker.anomaly').map((a) => a.kind)).to.include('duplicate-exec');
      if (scenario === 'commission-before-exec') expect(t.of('order.filled')[0]!.commission).to.equal(10_000);
    });
  }

  it('Inactive: the order is rejected by the broker (not left working), nothing fills', async () => {
    await start('inactive');
    const t = await connected(90);
    t.broker.submit(resting('I1'));
    await until(() => t.of('order.rejected').length === 1, 'rejected');
    expect(t.of('order.rejected')[0]).to.include({ coid: 'I1', origin: 'broker' });
    expect(t.broker.orderStatus('I1')).to.equal('Rejected');
    expect(t.broker.openOrders()).to.deep.equal([]);
  });

  it('partial fills: PartiallyFilled then Filled, cumQty rising, position the sum', async () => {
    await start('partial-fills');
    const t = await connected(91);
    server.publish(quote('AAPL', 150.25, 150.27));
    t.broker.submit(market('P1'));
    // The fake fills half of what remains per market update: 5, 3, 1, 1.
    for (let i = 0; i < 10 && t.broker.orderStatus('P1') !== 'Filled'; i++) {
      await sleep(30);
      server.publish(quote('AAPL', 150.25, 150.27));
    }
    await until(() => t.broker.orderStatus('P1') === 'Filled', 'filled in parts');
    const fills = t.of('order.filled');
    expect(fills.length).to.be.greaterThan(1);
    expect(fills.map((f) => f.status)).to.deep.equal([...fills.slice(1).map(() => 'PartiallyFilled'), 'Filled']);
    let cum = 0;
    for (const f of fills) {
      cum += f.qty as number;
      expect(f.cumQty).to.equal(cum);
      expect(f.leavesQty).to.equal(10 - cum);
    }
    await sleep(40);
    fillsOk(t, 10);
  });

  it('reject 201: order.rejected from the broker with the venue code; the trailing Cancelled is absorbed', async () => {
    await start('reject');
    const t = await connected(92);
    t.broker.submit(resting('R1'));
    await until(() => t.of('order.rejected').length === 1, 'rejected');
    await sleep(40);
    expect(t.of('order.rejected')[0]).to.include({ coid: 'R1', origin: 'broker', venueCode: 201, code: 'ORDER.REJECTED' });
    expect(t.of('order.cancelled')).to.deep.equal([]);
    expect(t.connection.state).to.equal('Connected');
  });

  it('garbage frames (fewer than a burst): dropped before decoding and counted, the session stays Connected and keeps trading', async () => {
    await start();
    const t = await connected(93);
    server.inject({ kind: 'garbage' });
    await sleep(50);
    expect(t.connection.state).to.equal('Connected');
    expect(t.broker.health().droppedFrames).to.equal(3);
    expect(t.of('broker.anomaly').filter((a) => a.kind === 'malformed-frames')).to.have.length(1); // once per link
    expect(t.of('broker.error').filter((e) => e.severity === 'fatal')).to.deep.equal([]);
    server.publish(quote('AAPL', 150.25, 150.27));
    t.broker.submit(market('G1'));
    await until(() => t.of('order.filled').length === 1, 'fill after garbage');
  });

  it("hard-fail 503: a fatal broker.error that the kernel's auto-triggers turn into HALT; the adapter halts", async () => {
    await start();
    const t = await connected(94);
    const escalations: Array<{ to: TradingState; reason: RiskReason }> = [];
    const gate: EscalationTarget = {
      state: 'RUNNING',
      escalate: (to, reason) => {
        escalations.push({ to, reason });
        return true;
      },
      addHoldCondition: () => () => {},
    };
    const on = ((event: string, listener: (p: unknown) => void) =>
      event === 'broker.error' || event === 'connection.changed' || event === 'order.rejected'
        ? t.broker.on(event, listener as never)
        : () => {}) as Subscribe;
    const triggers = new AutoTriggers(gate, new WallClock());
    triggers.attach(on);
    server.inject({ kind: 'error', code: 503, text: 'The TWS is out of date and must be upgraded.' });
    await until(() => t.connection.state === 'Disconnected', 'halted');
    triggers.dispose();
    expect(t.chain().slice(-2)).to.deep.equal(['Connected→Halting', 'Halting→Disconnected']);
    expect(
      t
        .of('broker.error')
        .filter((e) => e.severity === 'fatal')
        .map((e) => e.code),
    ).to.deep.equal([503]);
    expect(escalations.map((e) => [e.to, e.reason.code])).to.deep.equal([['HALT', 'RISK.BROKER_NOT_READY']]);
  });
});
