import { expect } from 'chai';
import { requires } from '../card.js';
import { expectCount, expectNone, expectSequence, either, step } from '../recorder.js';
import { bracketB1, expectCommission, execIdOf, order, resting, submitSent } from './broker-helpers.js';
import type { BrokerCard } from './broker-cards-lifecycle.js';
import type { BrokerRun } from './broker-types.js';

const f = requires.feature;
const flag = requires.flag;

async function bracketInPlace(r: BrokerRun): Promise<void> {
  const receipt = r.subject.submitBracket(bracketB1(r.fx.symbol));
  expect(receipt.status, 'submitBracket receipt').to.equal('sent');
  await r.settle();
}

async function bracketArmed(r: BrokerRun): Promise<void> {
  await bracketInPlace(r);
  await r.venue().fill('B1-P', { price: 123400 });
  await r.settle();
  expectSequence(r.rec.events, [step('order.filled', { coid: 'B1-P', status: 'Filled' })], 'setup: entry filled');
}

/**
 * Modify, rejects and validation, brackets, fill ledger, identity and recovery (docs/conformance-kit.md#broker-modify,
 * docs/conformance-kit.md#broker-rejects, docs/conformance-kit.md#broker-brackets, docs/conformance-kit.md#broker-fill-ledger,
 * docs/conformance-kit.md#broker-recovery).
 */
export const orderCards: BrokerCard[] = [
  {
    id: 'BRK-40', // docs/conformance-cards.md#brk-40
    title: 'Modify price, quantity and trigger in place',
    baseline: false,
    applies: flag('supportsModify'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      r.subject.modify('C1', { limitPrice: 121000 });
      await r.settle();
      r.subject.modify('C1', { quantity: 60 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.modify-requested', { coid: 'C1' }),
        step('order.modified', { coid: 'C1', price: 121000, qty: 100 }),
        step('order.modify-requested', { coid: 'C1' }),
        step('order.modified', { coid: 'C1', qty: 60, leavesQty: 60 }),
      ]);
      if (r.caps.supportsStopOrders === true) {
        submitSent(r, order('S1', 'sell', 'stop', 100, { trigger: 122000 }));
        await r.settle();
        r.subject.modify('S1', { triggerPrice: 121500 });
        await r.settle();
        expectSequence(r.rec.events, [
          step('order.modify-requested', { coid: 'S1' }),
          step('order.modified', { coid: 'S1', triggerPrice: 121500 }),
        ]);
      }
      expectNone(r.rec.events, 'order.cancelled');
      expectCount(r.rec.events, 'order.accepted', { coid: 'C1' }, 1, 'a modify is never a new order');
      const c1 = r.subject.openOrders().find((o) => o.coid === 'C1');
      expect(c1 && { price: c1.limitPrice, qty: c1.quantity }, 'openOrders() shows the latest values').to.deep.equal({
        price: 121000,
        qty: 60,
      });
    },
  },
  {
    id: 'BRK-41', // docs/conformance-cards.md#brk-41
    title: 'Modify is refused when unsupported',
    baseline: false,
    applies: requires.flagFalse('supportsModify'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      const sent = r.received('modify');
      r.subject.modify('C1', { limitPrice: 121000 });
      await r.settle();
      expectSequence(r.rec.events, [step('order.modify-rejected', { coid: 'C1', code: 'BROKER.MODIFY_UNSUPPORTED' })]);
      expectNone(r.rec.events, 'order.modified');
      if (sent !== null) expect(r.received('modify')).to.equal(sent);
    },
  },
  {
    id: 'BRK-50', // docs/conformance-cards.md#brk-50
    title: 'A broker rejection carries its reason',
    baseline: true,
    run: async (r) => {
      await r.venue().reject({ reason: 'insufficient buying power', venueCode: 201 });
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 123400 }));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1' }),
        step('order.rejected', {
          coid: 'C1',
          origin: 'broker',
          code: 'ORDER.REJECTED',
          reason: (x: unknown) => typeof x === 'string' && x.includes('insufficient buying power'),
        }),
      ]);
      for (const t of ['order.accepted', 'order.filled', 'position.changed'])
        expectNone(r.rec.events, t, { ...(t === 'position.changed' ? {} : { coid: 'C1' }) });
      const placed = r.received('place', 'C1');
      if (placed !== null) expect(placed, 'placements of C1 (no automatic retry)').to.equal(1);
    },
  },
  {
    id: 'BRK-51', // docs/conformance-cards.md#brk-51
    title: 'Invalid, duplicate and unknown-instrument orders are refused locally',
    baseline: true,
    run: async (r) => {
      const cases: { req: ReturnType<typeof order>; code: string }[] = [
        { req: order('V1', 'buy', 'limit', 0, { limit: 120000 }), code: 'ORDER.INVALID_QUANTITY' },
        { req: order('V2', 'buy', 'limit', -5, { limit: 120000 }), code: 'ORDER.INVALID_QUANTITY' },
        { req: order('V3', 'buy', 'limit', 10.5, { limit: 120000 }), code: 'ORDER.INVALID_QUANTITY' },
        { req: order('V4', 'buy', 'limit', 100, { limit: 123456 }), code: 'ORDER.INVALID_PRICE' },
      ];
      if (r.caps.supportsMarketOrders !== true)
        cases.push({ req: order('V5', 'buy', 'market', 100), code: 'BROKER.UNSUPPORTED_ORDER_TYPE' });
      if (r.caps.supportsStopOrders !== true)
        cases.push({ req: order('V6', 'sell', 'stop', 100, { trigger: 122000 }), code: 'BROKER.UNSUPPORTED_ORDER_TYPE' });
      const placed = r.received('place');
      for (const c of cases) {
        const receipt = r.subject.submit({ ...c.req, symbol: r.fx.symbol });
        expect(receipt.status, `${c.req.coid} receipt`).to.equal('rejected');
        if (receipt.status === 'rejected') expect(receipt.code, `${c.req.coid} receipt code`).to.equal(c.code);
      }
      await r.settle();
      for (const c of cases) {
        expectSequence(r.rec.events, [step('order.rejected', { coid: c.req.coid, origin: 'adapter', code: c.code })]);
        expectNone(r.rec.events, 'order.submitted', { coid: c.req.coid });
      }
      if (placed !== null) expect(r.received('place'), 'the venue receives nothing for invalid orders').to.equal(placed);
      // (e) a used coid, then two distinct ids with identical parameters.
      await resting(r, 'D1', 'buy', 120000);
      const dup = r.subject.submit(order('D1', 'buy', 'limit', 100, { limit: 119000, symbol: r.fx.symbol }));
      expect(dup.status === 'rejected' && dup.code, 'duplicate coid').to.equal('ORDER.DUPLICATE_ID');
      await resting(r, 'D2', 'buy', 119000);
      await resting(r, 'D3', 'buy', 119000);
      expectSequence(r.rec.events, [step('order.rejected', { coid: 'D1', origin: 'adapter', code: 'ORDER.DUPLICATE_ID' })]);
      expect(
        r.subject.openOrders().map((o) => o.coid),
        'both twins tracked apart',
      ).to.include.members(['D1', 'D2', 'D3']);
      // (f) unknown instrument.
      r.subject.submit(order('U1', 'buy', 'limit', 100, { limit: 120000, symbol: 'NOSUCH' }));
      await r.settle();
      expectSequence(r.rec.events, [step('order.rejected', { coid: 'U1', code: 'ORDER.UNKNOWN_INSTRUMENT' })]);
      expectNone(r.rec.events, 'connection.changed', { from: 'Connected' }, 'the state stays Connected');
    },
  },
  {
    id: 'BRK-60', // docs/conformance-cards.md#brk-60
    title: 'Bracket: all three legs are in place, and the entry fill arms the exits',
    baseline: false,
    applies: flag('supportsBrackets'),
    run: async (r) => {
      await bracketInPlace(r);
      expectCount(r.rec.events, 'order.submitted', { bracketId: 'B1' }, 3, 'three legs submitted');
      expectSequence(r.rec.events, [
        either(
          step('order.submitted', { coid: 'B1-S', parentCoid: 'B1-P' }),
          step('order.submitted', { coid: 'B1-T', parentCoid: 'B1-P' }),
        ),
      ]);
      for (const coid of ['B1-P', 'B1-S', 'B1-T']) expectSequence(r.rec.events, [step('order.accepted', { coid })]);
      for (const coid of ['B1-S', 'B1-T'])
        expectSequence(r.rec.events, [step('order.accepted', { coid, held: true })], 'children held until the parent fills');
      expectNone(r.rec.events, 'order.filled');
      await r.venue().fill('B1-P', { price: 123400 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'B1-P', qty: 100, status: 'Filled' }),
        step('position.changed', { qty: 100 }),
      ]);
      const open = r.subject.openOrders().map((o) => ({ coid: o.coid, qty: o.quantity - o.filledQuantity }));
      expect(open, 'openOrders() after the entry fill').to.deep.include.members([
        { coid: 'B1-S', qty: 100 },
        { coid: 'B1-T', qty: 100 },
      ]);
    },
  },
  {
    id: 'BRK-61', // docs/conformance-cards.md#brk-61
    variant: 'a',
    title: 'An exit fill cancels its sibling (OCA): take-profit',
    baseline: false,
    applies: flag('supportsBrackets'),
    run: async (r) => {
      await bracketArmed(r);
      await r.venue().fill('B1-T', { price: 125400 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'B1-T', qty: 100, status: 'Filled' }),
        either(step('order.cancelled', { coid: 'B1-S', reason: 'oca' }), step('position.changed', { qty: 0 })),
      ]);
      expectNone(r.rec.events, 'order.filled', { coid: 'B1-S' });
      expect(r.subject.openOrders().filter((o) => o.status !== 'Filled' && o.status !== 'Cancelled')).to.deep.equal([]);
    },
  },
  {
    id: 'BRK-61', // docs/conformance-cards.md#brk-61
    variant: 'b',
    title: 'An exit fill cancels its sibling (OCA): stop',
    baseline: false,
    applies: flag('supportsBrackets'),
    run: async (r) => {
      await bracketArmed(r);
      await r.venue().fill('B1-S');
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.triggered', { coid: 'B1-S' }),
        step('order.filled', { coid: 'B1-S', qty: 100, status: 'Filled' }),
        either(step('order.cancelled', { coid: 'B1-T', reason: 'oca' }), step('position.changed', { qty: 0 })),
      ]);
      expectNone(r.rec.events, 'order.filled', { coid: 'B1-T' });
    },
  },
  {
    id: 'BRK-62', // docs/conformance-cards.md#brk-62
    title: 'A partial take-profit reduces the stop',
    baseline: false,
    applies: requires.all(flag('supportsBrackets'), flag('supportsOcaReduce'), f('partialFill')),
    run: async (r) => {
      await bracketArmed(r);
      await r.venue().fill('B1-T', { qty: 50, price: 125400 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'B1-T', qty: 50, status: 'PartiallyFilled' }),
        either(step('position.changed', { qty: 50 }), step('order.modified', { coid: 'B1-S', qty: 50 })),
      ]);
      await r.venue().fill('B1-T', { qty: 50, price: 125400 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'B1-T', qty: 50, status: 'Filled' }),
        either(step('order.cancelled', { coid: 'B1-S', reason: 'oca' }), step('position.changed', { qty: 0 })),
      ]);
    },
  },
  {
    id: 'BRK-64', // docs/conformance-cards.md#brk-64
    title: 'Cancelling the parent cancels the children',
    baseline: false,
    applies: flag('supportsBrackets'),
    run: async (r) => {
      await bracketInPlace(r);
      r.subject.cancel('B1-P');
      await r.settle();
      expectSequence(r.rec.events, [step('order.cancel-requested', { coid: 'B1-P' }), step('order.cancelled', { coid: 'B1-P' })]);
      expectSequence(r.rec.events, [
        either(
          step('order.cancelled', { coid: 'B1-S', reason: 'parent-cancelled' }),
          step('order.cancelled', { coid: 'B1-T', reason: 'parent-cancelled' }),
        ),
      ]);
      expectNone(r.rec.events, 'order.filled');
      expect(r.subject.openOrders().filter((o) => o.status !== 'Cancelled')).to.deep.equal([]);
    },
  },
  {
    id: 'BRK-71', // docs/conformance-cards.md#brk-71
    variant: 'a',
    title: 'Executions and commissions join by exec id: commission after execution',
    baseline: true,
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      await r.venue().fill('C1', { price: 123400 });
      await r.settle();
      expectSequence(r.rec.events, [step('order.filled', { coid: 'C1' }), step('position.changed', { qty: 100 })]);
      await r.settle(r.timeouts.commissionWait + 1_000_000);
      expectCommission(r.rec.events, execIdOf(r.rec.events, 'C1'), r.caps.isLive ? null : r.fx.commissionPerExecution);
    },
  },
  {
    id: 'BRK-80', // docs/conformance-cards.md#brk-80
    variant: 'a',
    title: 'The client reference makes the round trip',
    baseline: false,
    applies: flag('supportsOrderRef'),
    run: async (r) => {
      submitSent(r, order('HV1-000123', 'buy', 'limit', 100, { limit: 123400, orderRef: 'HV1-000123' }));
      await r.settle();
      expectSequence(r.rec.events, [step('order.accepted', { coid: 'HV1-000123' })]);
      const row = r.subject.openOrders().find((o) => o.coid === 'HV1-000123');
      expect(row?.orderRef, 'openOrders() orderRef').to.equal('HV1-000123');
      await r.venue().fill('HV1-000123', { price: 123400, ...(r.features.has('partialFill') ? { qty: 40 } : {}) });
      await r.settle();
      expectSequence(r.rec.events, [step('order.filled', { coid: 'HV1-000123', orderRef: 'HV1-000123' })]);
    },
  },
];
