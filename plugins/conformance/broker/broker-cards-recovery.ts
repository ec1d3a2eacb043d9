import { expect } from 'chai';
import { requires } from '../card.js';
import { expectNone, expectSequence, either, step } from '../recorder.js';
import type { BrokerCard } from './broker-cards-lifecycle.js';
import { connect, feature, includesAll, order, resting, stateOf, submitSent, until } from './broker-helpers.js';

const f = requires.feature;
const flag = requires.flag;

/** A discrepancy line naming `symbol` and its signed delta (`XYZ +200`, `ABC -50` or `ABC −50`). */
function discrepancy(list: unknown, symbol: string, delta: number): boolean {
  const want = `${symbol} ${delta > 0 ? '+' : '-'}${Math.abs(delta)}`;
  return Array.isArray(list) && list.some((x) => typeof x === 'string' && x.replace(/\u2212/g, '-').includes(want));
}

/** BRK-84 (docs/conformance-cards.md#brk-84): a reconnect whose `query` never ends is incomplete, keeps Reconnecting and is retried. */
function unansweredQuery(variant: string, query: 'openOrders' | 'positions'): BrokerCard {
  return {
    id: 'BRK-84', // docs/conformance-cards.md#brk-84
    variant,
    title: `A failed reconciliation means unknown, never empty: ${query} unanswered`,
    baseline: false,
    applies: requires.all(flag('supportsReconnect'), f('socketDrop', 'dropReply')),
    run: async (r) => {
      submitSent(r, order('C0', 'buy', 'limit', 100, { limit: r.fx.ask }));
      await resting(r, 'C1', 'buy', 120000);
      await resting(r, 'C2', 'buy', 119000);
      expect(r.subject.positions().find((p) => p.symbol === r.fx.symbol)?.quantity, 'setup: long 100').to.equal(100);
      const drop = feature(r, 'dropReply');
      await drop(query, { on: true });
      const m = r.rec.mark();
      await feature(r, 'socketDrop')();
      await until(r, () => r.rec.since(m).some((e) => e.type === 'reconciliation.completed'), 'a first pass after the reconnect');
      const first = r.rec.since(m);
      expectSequence(first, [
        step('connection.changed', { from: 'Connected', to: 'Reconnecting' }),
        step('reconciliation.started', { trigger: 'reconnect' }),
        step('reconciliation.completed', {
          status: 'incomplete',
          ...(query === 'openOrders' ? { unresolvedCoids: includesAll('C1', 'C2') } : {}),
        }),
      ]);
      expect(stateOf(r), 'the state stays Reconnecting').to.equal('Reconnecting');
      expect(r.subject.health().canTrade, 'not tradable').to.equal(false);
      await drop(query, { on: false });
      await until(r, () => stateOf(r) === 'Connected', 'a retry completes', 20);
      const ev = r.rec.since(m);
      expectSequence(ev, [
        step('reconciliation.completed', { status: 'incomplete' }),
        step('reconciliation.completed', { status: 'complete' }),
        step('connection.changed', { from: 'Reconnecting', to: 'Connected' }),
      ]);
      expectNone(ev, 'order.cancelled', undefined, 'nothing settled on a guess');
      expectNone(ev, 'position.changed', undefined, 'no position moved on a guess');
      expect(
        r.subject.openOrders().map((o) => o.coid),
        'C1 and C2 still working',
      ).to.include.members(['C1', 'C2']);
    },
  };
}

/** Identity, recovery and reconciliation (BRK-81 to 84, docs/conformance-kit.md#broker-recovery). */
export const recoveryCards: BrokerCard[] = [
  {
    id: 'BRK-81', // docs/conformance-cards.md#brk-81
    title: 'Open orders are recovered after a restart',
    baseline: false,
    applies: requires.all(flag('supportsOrderRef'), f('restart')),
    run: async (a) => {
      await resting(a, 'C1', 'buy', 120000);
      await resting(a, 'C2', 'sell', 127000, 50);
      const idsA = a.rec.of('order.accepted').map((e) => Number(e.payload.brokerOrderId));
      await feature(a, 'restart')();
      const b = await a.reopen();
      try {
        await connect(b);
        expectSequence(b.rec.events, [
          step('connection.changed', { from: 'Disconnected', to: 'Connecting' }),
          step('reconciliation.completed', { status: 'complete', adoptedCoids: includesAll('C1', 'C2') }),
          step('connection.changed', { from: 'Connecting', to: 'Connected' }),
        ]);
        const rows = b.subject.openOrders().map((o) => ({ coid: o.coid, side: o.side, qty: o.quantity, price: o.limitPrice }));
        expect(rows, 'openOrders() after the restart').to.deep.include.members([
          { coid: 'C1', side: 'buy', qty: 100, price: 120000 },
          { coid: 'C2', side: 'sell', qty: 50, price: 127000 },
        ]);
        b.subject.cancel('C1');
        await b.settle();
        expectSequence(b.rec.events, [step('order.cancelled', { coid: 'C1' })]);
        submitSent(b, order('C3', 'buy', 'limit', 100, { limit: 119000 }));
        await b.settle();
        expectNone(b.rec.events, 'order.rejected', { coid: 'C3' }, 'no duplicate-id refusal');
        const c3 = b.rec.of('order.accepted', { coid: 'C3' })[0];
        expect(c3, 'C3 accepted').to.not.equal(undefined);
        expect(Number(c3!.payload.brokerOrderId), 'C3 broker id above every id seen').to.be.greaterThan(Math.max(...idsA));
      } finally {
        b.rec.detach();
        await b.subject.dispose();
      }
    },
  },
  {
    id: 'BRK-82', // docs/conformance-cards.md#brk-82
    title: 'Outcomes during a disconnect are recovered by reconciliation',
    baseline: false,
    applies: requires.all(flag('supportsReconnect'), f('socketDrop')),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      const m = r.rec.mark();
      await feature(r, 'socketDrop')('after-place');
      submitSent(r, order('C2', 'buy', 'limit', 100, { limit: 123500 }));
      await until(r, () => r.rec.since(m).some((e) => e.type === 'order.unknown'), 'C2 unknown after the drop');
      await r.venue().fill('C2', { price: 123500 });
      await r.venue().fill('C1', { price: 123400 });
      await r.settle();
      await feature(r, 'socketDrop')('up');
      await until(r, () => stateOf(r) === 'Connected', 'Reconnecting → Connected', 20);
      await r.settle(r.timeouts.commissionWait);
      expectSequence(r.rec.since(m), [
        step('connection.changed', { from: 'Connected', to: 'Reconnecting' }),
        step('order.unknown', { coid: 'C2', cause: 'disconnect-after-send' }),
        step('reconciliation.started', { trigger: 'reconnect' }),
        step('order.accepted', { coid: 'C2', reconciled: true }),
        either(step('order.filled', { coid: 'C2', status: 'Filled' }), step('order.filled', { coid: 'C1', status: 'Filled' })),
        step('reconciliation.completed', { status: 'complete' }),
        step('connection.changed', { from: 'Reconnecting', to: 'Connected' }),
      ]);
      expect(r.subject.positions().find((p) => p.symbol === r.fx.symbol)?.quantity, 'long 200, counted once').to.equal(200);
      const again = r.rec.mark();
      await r.subject.reconcile();
      await r.settle();
      const second = r.rec
        .since(again)
        .filter((e) => e.type !== 'reconciliation.started' && e.type !== 'reconciliation.completed' && e.type !== 'broker.error');
      expect(
        second.map((e) => e.type),
        'the second pass emits nothing',
      ).to.deep.equal([]);
    },
  },
  {
    id: 'BRK-83', // docs/conformance-cards.md#brk-83
    title: "Positions reconcile to the broker's record",
    baseline: false,
    applies: f('externalOrders'),
    run: async (r) => {
      // Local ledger: flat XYZ, long 50 ABC (filled here). The venue: long 200 XYZ from the previous day, flat ABC.
      const sym = r.fx.symbol;
      await r.venue().quote('ABC', 50000, 500, 50100, 300);
      await r.settle();
      submitSent(r, order('A1', 'buy', 'limit', 50, { limit: 50100, symbol: 'ABC' }));
      await r.settle();
      expect(r.subject.positions().find((p) => p.symbol === 'ABC')?.quantity, 'setup: long 50 ABC').to.equal(50);
      const ext = feature(r, 'externalOrders');
      await ext({ position: { symbol: sym, qty: 200, avgPrice: 123000 } });
      await ext({ position: { symbol: 'ABC', qty: 0, avgPrice: 0 } });
      const m = r.rec.mark();
      await r.subject.reconcile();
      await r.settle();
      expectSequence(r.rec.since(m), [
        step('reconciliation.started'),
        either(
          step('position.changed', { symbol: sym, qty: 200, source: 'reconcile' }),
          step('position.changed', { symbol: 'ABC', qty: 0, source: 'reconcile' }),
        ),
        step('reconciliation.completed', {
          status: 'complete',
          discrepancies: (v: unknown) => discrepancy(v, sym, 200) && discrepancy(v, 'ABC', -50),
        }),
      ]);
      const pos = new Map(r.subject.positions().map((p) => [p.symbol, p.quantity]));
      expect([pos.get(sym), pos.get('ABC') ?? 0], "the broker's record wins").to.deep.equal([200, 0]);
    },
  },
  unansweredQuery('a', 'openOrders'),
  unansweredQuery('b', 'positions'),
];
