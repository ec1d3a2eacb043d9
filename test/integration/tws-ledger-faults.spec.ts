import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { BrokerEventName } from '../../ports/broker-adapter.js';
import { socketsQuiet, startTwsRig, twsBrokerDriver, type TwsRig } from '../conformance/support/fake-tws-driver.js';
import type { BrokerDriver } from '../../plugins/conformance/index.js';
import { holdFrame } from '../conformance/support/fake-tws-faults.js';

/** The driver's fault features this spec uses (their signatures are the driver's own; the kit leaves them open). */
interface Faults {
  execCorrection(coid: string, change: { price?: number; qty?: number }): void;
  dropReply(what: 'place' | 'cancel' | 'modify'): void;
  duplicateReports(coid: string, times?: number): void;
}

const START = Date.UTC(2026, 2, 10, 14, 0, 0) * 1000;
const NAMES: BrokerEventName[] = [
  'order.submitted',
  'order.accepted',
  'order.filled',
  'order.fill-corrected',
  'order.unknown',
  'order.rejected',
  'order.cancelled',
  'bracket.failed',
  'position.changed',
  'reconciliation.started',
  'reconciliation.completed',
  'broker.anomaly',
  'connection.changed',
];
const lmt = (coid: string, side: 'buy' | 'sell', price: number) => ({
  coid,
  symbol: 'XYZ',
  side,
  type: 'limit' as const,
  quantity: 100,
  limitPrice: price,
  tif: 'day' as const,
  orderRef: `HVK-${coid}`,
});

/** The adapter's fill ledger and order guards against the fake TWS through the conformance driver, on a virtual clock. */
describe('TWS broker: corrections, ack timeout, bracket guard, duplicates (fake TWS through the kit driver)', function () {
  this.timeout(20_000);
  let rig: TwsRig;
  let clock: ManualClock;
  let venue: BrokerDriver & Faults;
  let events: { type: string; p: Record<string, unknown> }[];

  /** As the kit does: flush the sockets, then move the virtual clock through every timer due within `us`. */
  async function settle(us = 6_000_000): Promise<void> {
    const target = clock.now() + us;
    await socketsQuiet(rig.server);
    for (let next = clock.nextTimerAt(); next !== null && next <= target; next = clock.nextTimerAt()) {
      clock.advanceTo(next);
      await socketsQuiet(rig.server);
    }
    clock.advanceTo(target);
    await socketsQuiet(rig.server);
  }
  const of = (type: string, where: Record<string, unknown> = {}) =>
    events.filter((e) => e.type === type && Object.entries(where).every(([k, v]) => e.p[k] === v)).map((e) => e.p);
  const order = () => events.map((e) => `${e.type}${typeof e.p.coid === 'string' ? `{${e.p.coid}}` : ''}`);

  beforeEach(async () => {
    clock = new ManualClock(START);
    rig = await startTwsRig(clock, 1_000_000_000, undefined, { contracts: ['XYZ'] });
    venue = twsBrokerDriver(rig, clock) as BrokerDriver & Faults;
    events = [];
    for (const n of NAMES) rig.broker.on(n, (p) => events.push({ type: n, p: p as Record<string, unknown> }));
    await venue.quote('XYZ', 123400, 500, 123500, 300);
    const p = rig.broker.connect();
    await settle();
    await p;
  });
  afterEach(async () => rig.close());

  it('an execution revision .01 → .02 replaces the fill: one order.filled, a fill-corrected, the position never doubles', async () => {
    rig.broker.submit(lmt('C1', 'buy', 123400));
    await settle();
    await venue.fill('C1', { price: 123400 });
    await settle();
    venue.execCorrection('C1', { price: 123300 });
    await settle();
    expect(of('order.filled', { coid: 'C1' })).to.have.length(1);
    const fix = of('order.fill-corrected', { coid: 'C1' });
    expect(fix).to.have.length(1);
    expect(fix[0]).to.include({ revision: 2, price: 123300, qtyDelta: 0 });
    expect(String(fix[0]!.execId)).to.not.match(/\.02$/);
    expect(of('position.changed').at(-1)).to.include({ qty: 100, avgPrice: 123300 });
    expect(rig.broker.positions()).to.deep.equal([{ symbol: 'XYZ', quantity: 100, averagePrice: 123300, realizedPnl: 0 }]);
    // A replay of the revision (as reqExecutions gives after a reconnect) changes nothing.
    venue.duplicateReports('C1');
    await settle();
    expect(of('order.fill-corrected')).to.have.length(1);
    expect(rig.broker.positions()[0]!.quantity).to.equal(100);
  });

  it('a swallowed placement becomes order.unknown{ack-timeout} after T_ack, then a reconciliation; never a reject or a re-send', async () => {
    let placements = 0;
    rig.server.on('frame', (f) => {
      if (f.request.kind === 'placeOrder') placements++;
    });
    venue.dropReply('place');
    rig.broker.submit(lmt('C1', 'buy', 120000));
    await settle(4_000_000);
    expect(of('order.unknown')).to.have.length(0);
    await settle(2_000_000);
    expect(of('order.unknown', { coid: 'C1' })[0]).to.include({ cause: 'ack-timeout' });
    expect(of('reconciliation.started').at(-1)).to.include({ trigger: 'ack-timeout' });
    expect(of('reconciliation.completed').at(-1)).to.include({ unresolved: 1 });
    expect(rig.broker.orderStatus('C1')).to.equal('Unknown');
    expect(of('order.rejected')).to.have.length(0);
    expect(placements).to.equal(1);
    expect(order().indexOf('order.unknown{C1}')).to.be.lessThan(order().lastIndexOf('reconciliation.started'));
  });

  it('an acknowledged order leaves no ack timer behind', async () => {
    rig.broker.submit(lmt('C1', 'buy', 120000));
    await settle(20_000_000);
    expect(of('order.unknown')).to.have.length(0);
    // The connection's own timers (the heartbeat) are on this clock too; nothing else may be left.
    expect(clock.pendingTimers() - rig.broker.connection.timers.pending, "timers beyond the connection's").to.equal(0);
  });

  it('a rejected bracket leg cancels the other legs (bracket-leg-rejected), then bracket.failed', async () => {
    // The venue refuses the stop leg (the second placement of the bracket) with 201 and Cancelled.
    let seen = 0;
    rig.server.on('frame', (f) => {
      if (f.request.kind !== 'placeOrder' || ++seen !== 2) return;
      const conn = rig.server.live().find((c) => c.id === f.connectionId)!;
      const id = f.request.order.orderId;
      holdFrame(rig.server, conn, () => {
        conn.send(conn.msgs.error(id, 201, 'Order rejected - reason:stop too close'));
        conn.send(
          conn.msgs.orderStatus({
            orderId: id,
            status: 'Cancelled',
            filled: 0,
            remaining: 0,
            avgFillPrice: 0,
            permId: 0,
            parentId: 0,
            lastFillPrice: 0,
            clientId: conn.clientId ?? 0,
            whyHeld: '',
          }),
        );
      });
    });
    rig.broker.submitBracket({
      bracketId: 'B1',
      parent: { ...lmt('B1-P', 'buy', 123400), bracketId: 'B1' },
      stopLoss: {
        coid: 'B1-S',
        symbol: 'XYZ',
        side: 'sell',
        type: 'stop',
        quantity: 100,
        triggerPrice: 122400,
        tif: 'day',
        orderRef: 'HVK-B1-S',
        bracketId: 'B1',
        parentCoid: 'B1-P',
        ocaGroup: 'B1',
      },
      takeProfit: { ...lmt('B1-T', 'sell', 125400), bracketId: 'B1', parentCoid: 'B1-P', ocaGroup: 'B1' },
    });
    await settle();
    expect(of('order.rejected', { coid: 'B1-S' })[0]).to.include({ origin: 'broker' });
    expect(of('order.cancelled', { coid: 'B1-P' })[0]).to.include({ reason: 'bracket-leg-rejected' });
    expect(of('order.cancelled', { coid: 'B1-T' })[0]).to.include({ reason: 'bracket-leg-rejected' });
    expect(of('bracket.failed')).to.deep.equal([{ bracketId: 'B1', leg: 'stop-loss', cause: 'rejected', at: of('bracket.failed')[0]!.at }]);
    const o = order();
    expect(o.indexOf('bracket.failed')).to.be.greaterThan(Math.max(o.indexOf('order.cancelled{B1-P}'), o.indexOf('order.cancelled{B1-T}')));
    expect(of('order.filled')).to.have.length(0);
    expect(rig.broker.openOrders()).to.deep.equal([]);
  });

  it('duplicate executions, commissions and statuses are applied once (anomaly duplicate-exec)', async () => {
    rig.broker.submit(lmt('C1', 'buy', 123400));
    await settle();
    await venue.fill('C1', { price: 123400 });
    await settle();
    venue.duplicateReports('C1', 2);
    await settle();
    expect(of('order.filled')).to.have.length(1);
    expect(of('broker.anomaly', { kind: 'duplicate-exec' })).to.have.length(2);
    expect(rig.broker.positions()[0]!.quantity).to.equal(100);
  });
});
