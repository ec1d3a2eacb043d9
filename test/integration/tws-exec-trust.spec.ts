import { expect } from 'chai';
import { ManualClock } from '../../core/engine/virtual-clock.js';
import type { BrokerEventName } from '../../ports/broker-adapter.js';
import { socketsQuiet, startTwsRig, twsBrokerDriver, type TwsRig } from '../conformance/support/fake-tws-driver.js';
import type { BrokerDriver } from '../../plugins/conformance/index.js';
import { completeContract } from '../../adapters/fake-tws/index.js';
import type { TwsMessages } from '../../adapters/fake-tws/messages.js';

const START = Date.UTC(2026, 2, 10, 14, 0, 0) * 1000;
const NAMES: BrokerEventName[] = [
  'order.accepted',
  'order.filled',
  'order.adopted',
  'position.changed',
  'broker.anomaly',
  'commission.reported',
];

/**
 * Executions are trusted only for orders we placed (issue #11 item 18, adapter side): through the real client over
 * loopback from the fake TWS, on a virtual clock past T_park.
 */
describe('TWS broker: executions trusted only for our own orders (spoofed execDetails, overfill)', function () {
  this.timeout(20_000);
  let rig: TwsRig;
  let clock: ManualClock;
  let venue: BrokerDriver;
  let events: { type: string; p: Record<string, unknown> }[];

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
  /** An execDetails as TWS sends a live one (reqId −1), with its commission report. */
  const exec =
    (orderId: number, execId: string, shares: number, orderRef: string, permId = 0) =>
    (m: TwsMessages) =>
      m.execution({
        reqId: -1,
        orderId,
        contract: completeContract({ symbol: 'XYZ' }),
        execId,
        time: '20260310 10:00:01',
        account: 'DU0000001',
        exchange: 'ISLAND',
        side: 'BOT',
        shares,
        price: 123.4,
        permId,
        clientId: 31,
        cumQty: shares,
        avgPrice: 123.4,
        orderRef,
      });
  const order = (coid: string, quantity: number) => ({
    coid,
    symbol: 'XYZ',
    side: 'buy' as const,
    type: 'limit' as const,
    quantity,
    limitPrice: 1_200_000,
    tif: 'day' as const,
    orderRef: `hv:t1:${coid}`,
  });

  beforeEach(async () => {
    clock = new ManualClock(START);
    rig = await startTwsRig(clock, 1_000_000_000, undefined, { contracts: ['XYZ'] });
    venue = twsBrokerDriver(rig, clock);
    events = [];
    for (const n of NAMES) rig.broker.on(n, (p) => events.push({ type: n, p: p as Record<string, unknown> }));
    await venue.quote('XYZ', 1_234_000, 500, 1_235_000, 300);
    const p = rig.broker.connect();
    await settle();
    await p;
  });
  afterEach(async () => rig.close());

  it('three execDetails for an unknown order id whose orderRef copies ours are anomalies, never fills (past T_park)', async () => {
    rig.broker.submit(order('C1', 5_000));
    await settle();
    expect(rig.broker.orderStatus('C1')).to.equal('Accepted');
    for (const n of [1, 2, 3]) rig.server.inject({ kind: 'frame', fields: exec(9_999, `spoof.0000${n}.01`, 5_000, 'hv:t1:C1') });
    await settle(70_000_000); // past T_park (60 s): an untrusted execution is never adopted later either
    expect(of('order.filled')).to.have.length(0);
    expect(of('order.adopted')).to.have.length(0);
    expect(rig.broker.positions().filter((p) => p.quantity !== 0)).to.deep.equal([]);
    const anomalies = of('broker.anomaly', { kind: 'untrusted-exec' });
    expect(anomalies.map((a) => (a.details as Record<string, unknown>).execId)).to.deep.equal([
      'spoof.00001.01',
      'spoof.00002.01',
      'spoof.00003.01',
    ]);
    expect(anomalies[0]!.details as Record<string, unknown>).to.include({ brokerOrderId: 9_999, orderRef: 'hv:t1:C1', refused: true });
    expect(rig.broker.orderStatus('C1')).to.equal('Accepted');
  });

  it('an hv: orderRef the journal never saw, on an unknown order, is refused too (not adopted as ours)', async () => {
    rig.server.inject({ kind: 'frame', fields: exec(8_888, 'spoof.00009.01', 700, 'hv:t1:NEVER-SENT') });
    await settle(70_000_000);
    expect(of('order.filled')).to.have.length(0);
    expect(of('order.adopted')).to.have.length(0);
    expect(of('broker.anomaly', { kind: 'untrusted-exec' })).to.have.length(1);
  });

  it('executions past the order quantity (cumulative > qty) are refused as overfill; the position stays at the order size', async () => {
    rig.broker.submit(order('C2', 5_000));
    await settle();
    const id = Number(rig.broker.openOrders().find((o) => o.coid === 'C2')!.brokerOrderId);
    for (const n of [1, 2, 3]) rig.server.inject({ kind: 'frame', fields: exec(id, `over.0000${n}.01`, 5_000, 'hv:t1:C2') });
    await settle();
    expect(of('order.filled', { coid: 'C2' })).to.have.length(1);
    const over = of('broker.anomaly', { kind: 'overfill' });
    expect(over).to.have.length(2);
    expect(over[0]!.details).to.include({ coid: 'C2', filled: 5_000, qty: 5_000, quantity: 5_000, refused: true });
    expect(rig.broker.positions().find((p) => p.symbol === 'XYZ')?.quantity).to.equal(5_000);
    expect(rig.broker.orderStatus('C2')).to.equal('Filled');
  });
});
