import { expect } from 'chai';
import { requires } from '../card.js';
import { expectCount, expectNone, expectSequence, either, is, step, type Recorded } from '../recorder.js';
import type { BrokerCard } from './broker-cards-lifecycle.js';
import { bracketB1, expectCommission, execIdOf, feature, order, resting, submitSent } from './broker-helpers.js';

const f = requires.feature;
const flag = requires.flag;

const detail =
  (key: string, value: unknown) =>
  (v: unknown): boolean =>
    typeof v === 'object' && v !== null && String((v as Record<string, unknown>)[key]) === String(value);

/** The position never went beyond `max` (BRK-73: a correction replaces, never adds; docs/conformance-cards.md#brk-73). */
function expectPositionsAtMost(events: readonly Recorded[], max: number): void {
  for (const e of events.filter((x) => x.type === 'position.changed'))
    expect(Math.abs(e.payload.qty as number), `position.changed #${e.index}`).to.be.at.most(max);
}

/**
 * A failed bracket (BRK-63, docs/conformance-kit.md#broker-brackets) and the fill ledger (BRK-70 to 74,
 * docs/conformance-kit.md#broker-fill-ledger).
 */
export const ledgerCards: BrokerCard[] = [
  {
    id: 'BRK-63', // docs/conformance-cards.md#brk-63
    variant: 'a',
    title: 'A rejected leg fails the whole bracket',
    baseline: false,
    applies: requires.all(flag('supportsBrackets'), f('reject', 'dropReply')),
    run: async (r) => {
      await r.venue().reject({ reason: 'stop too close', venueCode: 201, coid: 'B1-S' });
      expect(r.subject.submitBracket(bracketB1(r.fx.symbol)).status, 'submitBracket receipt').to.equal('sent');
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.rejected', { coid: 'B1-S', origin: 'broker', reason: is.nonEmptyString }),
        either(
          step('order.cancelled', { coid: 'B1-P', reason: 'bracket-leg-rejected' }),
          step('order.cancelled', { coid: 'B1-T', reason: 'bracket-leg-rejected' }),
        ),
        step('bracket.failed', { bracketId: 'B1', leg: 'stop-loss', cause: 'rejected' }),
      ]);
      expectNone(r.rec.events, 'order.filled');
      expectNone(r.rec.events, 'position.changed');
    },
  },
  {
    id: 'BRK-63', // docs/conformance-cards.md#brk-63
    variant: 'b',
    title: 'A leg never acknowledged fails the whole bracket',
    baseline: false,
    applies: requires.all(flag('supportsBrackets'), f('reject', 'dropReply')),
    run: async (r) => {
      await feature(r, 'dropReply')('place', { coid: 'B1-T' });
      expect(r.subject.submitBracket(bracketB1(r.fx.symbol)).status, 'submitBracket receipt').to.equal('sent');
      await r.settle();
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.unknown', { coid: 'B1-T', cause: 'ack-timeout' }),
        either(step('order.cancelled', { coid: 'B1-P' }), step('order.cancelled', { coid: 'B1-S' })),
        step('bracket.failed', { bracketId: 'B1', leg: 'take-profit', cause: 'unknown' }),
        step('reconciliation.started'),
      ]);
      expectNone(r.rec.events, 'order.filled');
      expectNone(r.rec.events, 'position.changed');
    },
  },
  {
    id: 'BRK-70', // docs/conformance-cards.md#brk-70
    title: 'Duplicate reports are ignored',
    baseline: false,
    applies: f('duplicateReports'),
    run: async (r) => {
      const dup = feature(r, 'duplicateReports');
      await resting(r, 'C1', 'buy', 123400);
      await dup('C1', 2); // the working status three times in all
      await r.settle();
      await r.venue().fill('C1', { price: 123400 });
      await r.settle();
      await dup('C1', 1); // E1 and its commission twice each
      await r.settle();
      await r.subject.reconcile(); // a reconciliation replays E1 and its commission again
      await r.settle();
      await dup('C1', 0, { staleStatus: true }); // a status with a lower filled count
      await r.settle(r.timeouts.commissionWait);
      const e1 = execIdOf(r.rec.events, 'C1');
      expectCount(r.rec.events, 'order.accepted', { coid: 'C1' }, 1);
      expectCount(r.rec.events, 'order.filled', { coid: 'C1' }, 1);
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'C1', execId: e1, qty: 100, status: 'Filled' }),
        step('position.changed', { qty: 100 }),
      ]);
      expectCount(r.rec.events, 'position.changed', undefined, 1);
      expectCommission(r.rec.events, e1, r.fx.commissionPerExecution);
      expectSequence(r.rec.events, [step('broker.anomaly', { kind: 'duplicate-exec', details: detail('execId', e1) })]);
      expect(r.subject.orderStatus('C1'), 'C1 stays Filled').to.equal('Filled');
      expect(r.subject.positions().find((p) => p.symbol === r.fx.symbol)?.quantity, 'position').to.equal(100);
    },
  },
  {
    id: 'BRK-71', // docs/conformance-cards.md#brk-71
    variant: 'b',
    title: 'Executions and commissions join by exec id: commission before execution',
    baseline: false,
    applies: f('reorderReports'),
    run: async (r) => {
      await resting(r, 'C2', 'buy', 123400);
      await feature(r, 'reorderReports')('commission-first');
      await r.venue().fill('C2', { price: 123400 });
      await r.settle();
      const e2 = execIdOf(r.rec.events, 'C2');
      expectSequence(r.rec.events, [step('order.filled', { coid: 'C2', execId: e2, commission: r.fx.commissionPerExecution })]);
      expectNone(r.rec.events, 'commission.reported', { execId: e2 });
    },
  },
  {
    id: 'BRK-71', // docs/conformance-cards.md#brk-71
    variant: 'c',
    title: 'An orphan commission is reported after T_park, and no fill is invented',
    baseline: false,
    applies: f('reorderReports'),
    run: async (r) => {
      await resting(r, 'C3', 'buy', 123400);
      const e3 = await feature(r, 'reorderReports')('orphan-commission');
      await r.settle(r.timeouts.park - 1_000_000);
      expectNone(r.rec.events, 'broker.anomaly', { kind: 'orphan-commission' }, 'parked until T_park');
      await r.settle();
      expectSequence(r.rec.events, [
        step('broker.anomaly', { kind: 'orphan-commission', ...(typeof e3 === 'string' ? { details: detail('execId', e3) } : {}) }),
      ]);
      expectNone(r.rec.events, 'order.filled');
      expectNone(r.rec.events, 'commission.reported');
    },
  },
  {
    id: 'BRK-71', // docs/conformance-cards.md#brk-71
    variant: 'd',
    title: 'A "not yet known" commission never appears as an amount',
    baseline: false,
    applies: f('reorderReports'),
    run: async (r) => {
      await resting(r, 'C4', 'buy', 123400);
      await feature(r, 'reorderReports')('sentinel-commission');
      await r.venue().fill('C4', { price: 123400 });
      await r.settle();
      await feature(r, 'reorderReports')('normal');
      await r.settle(r.timeouts.commissionWait);
      const e4 = execIdOf(r.rec.events, 'C4');
      for (const e of r.rec.events) {
        const amount = e.type === 'order.filled' ? e.payload.commission : e.type === 'commission.reported' ? e.payload.amount : null;
        if (amount !== null && amount !== undefined) expect(amount, `${e.type} #${e.index}: a commission amount`).to.be.within(0, 1e9);
      }
      expectCommission(r.rec.events, e4, r.fx.commissionPerExecution);
    },
  },
  {
    id: 'BRK-72', // docs/conformance-cards.md#brk-72
    variant: 'a',
    title: 'An execution before the acknowledgement is accepted synthetically',
    baseline: false,
    applies: f('reorderReports'),
    run: async (r) => {
      await feature(r, 'reorderReports')('exec-before-ack');
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 123600 }));
      await r.settle(r.timeouts.commissionWait);
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1' }),
        step('order.accepted', { coid: 'C1', synthetic: true }),
        step('order.filled', { coid: 'C1', status: 'Filled' }),
      ]);
      expectCount(r.rec.events, 'order.accepted', { coid: 'C1' }, 1, 'late statuses are absorbed');
      expectCommission(r.rec.events, execIdOf(r.rec.events, 'C1'), r.fx.commissionPerExecution);
    },
  },
  {
    id: 'BRK-72', // docs/conformance-cards.md#brk-72
    variant: 'b',
    title: 'Fills without any status are declared Filled from the executions',
    baseline: false,
    applies: requires.all(f('reorderReports', 'suppressStatus'), flag('supportsMarketOrders')),
    run: async (r) => {
      await feature(r, 'reorderReports')('exec-before-ack');
      await (r.venue().suppressStatus as (on?: boolean) => unknown)(true);
      submitSent(r, order('C2', 'buy', 'market', 100));
      await r.settle(r.timeouts.commissionWait);
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C2' }),
        step('order.accepted', { coid: 'C2', synthetic: true }),
        step('order.filled', { coid: 'C2', cumQty: 100, status: 'Filled' }),
      ]);
      expectCommission(r.rec.events, execIdOf(r.rec.events, 'C2'), r.fx.commissionPerExecution);
    },
  },
  {
    id: 'BRK-73', // docs/conformance-cards.md#brk-73
    title: 'An execution correction replaces, never adds',
    baseline: false,
    applies: f('execCorrection'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      await r.venue().fill('C1', { price: 123400 });
      await r.settle();
      await feature(r, 'execCorrection')('C1', { price: 123300 });
      await r.settle();
      const e1 = execIdOf(r.rec.events, 'C1');
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'C1', execId: e1, qty: 100, price: 123400, status: 'Filled' }),
        step('position.changed', { qty: 100, avgPrice: 123400 }),
        step('order.fill-corrected', {
          coid: 'C1',
          execId: (x: unknown) => typeof x === 'string' && x.length > 0 && e1.startsWith(x) && x !== e1,
          revision: 2,
          price: 123300,
          qtyDelta: 0,
        }),
        step('position.changed', { qty: 100, avgPrice: 123300 }),
      ]);
      expectCount(r.rec.events, 'order.filled', { coid: 'C1' }, 1);
      expectPositionsAtMost(r.rec.events, 100);
    },
  },
  {
    id: 'BRK-74', // docs/conformance-cards.md#brk-74
    variant: 'a',
    title: 'An execution for an unknown order is parked, then adopted as external',
    baseline: false,
    applies: f('externalOrders'),
    run: async (r) => {
      await feature(r, 'externalOrders')({ orderId: 9001, qty: 100, price: 123400 });
      await r.settle(r.timeouts.park - 1_000_000);
      expectNone(r.rec.events, 'order.filled', undefined, 'nothing before T_park');
      await r.settle();
      expectSequence(r.rec.events, [
        step('broker.anomaly', { kind: 'external-fill', details: detail('brokerOrderId', 9001) }),
        step('order.adopted', { coid: 'EXT-9001', brokerOrderId: '9001', external: true }),
        step('order.filled', { coid: 'EXT-9001', qty: 100 }),
        step('position.changed', { qty: 100 }),
      ]);
    },
  },
  {
    id: 'BRK-74', // docs/conformance-cards.md#brk-74
    variant: 'b',
    title: "An execution that precedes its order's report is replayed from the park",
    baseline: false,
    applies: f('externalOrders'),
    run: async (r) => {
      await feature(r, 'externalOrders')({ orderId: 9002, qty: 100, price: 123400 });
      await r.settle(2_000_000);
      await feature(r, 'externalOrders')({ orderId: 9002, qty: 100, price: 123400, report: true });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.adopted', { brokerOrderId: '9002' }),
        step('order.filled', { qty: 100 }),
        step('position.changed', { qty: 100 }),
      ]);
      expectCount(r.rec.events, 'order.filled', undefined, 1, 'nothing dropped, nothing twice');
    },
  },
];
