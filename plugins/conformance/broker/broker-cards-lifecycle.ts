import { expect } from 'chai';
import { requires, type CardDef } from '../card.js';
import { expectCount, expectNone, expectSequence, is, step } from '../recorder.js';
import { connect, errorCode, expectCommission, execIdOf, order, resting, submitSent } from './broker-helpers.js';
import type { BrokerRun } from './broker-types.js';

/** A broker card; `fresh` cards start Disconnected instead of Connected. */
export type BrokerCard = CardDef<BrokerRun> & { readonly fresh?: boolean };

const f = requires.feature;
const flag = requires.flag;

/**
 * Connection and lifecycle, market orders and account, limit and stop orders (docs/conformance-kit.md#broker-connection,
 * docs/conformance-kit.md#broker-market-orders, docs/conformance-kit.md#broker-limit-stop).
 */
export const lifecycleCards: BrokerCard[] = [
  {
    id: 'BRK-01', // docs/conformance-cards.md#brk-01
    variant: 'a',
    title: 'Connect reaches Connected only after the initial sync',
    baseline: true,
    fresh: true,
    run: async (r) => {
      await connect(r);
      expectSequence(r.rec.events, [
        step('connection.changed', { from: 'Disconnected', to: 'Connecting' }),
        step('reconciliation.started', { trigger: 'connect' }),
        step('reconciliation.completed', { status: 'complete', unresolved: 0 }),
        step('connection.changed', { from: 'Connecting', to: 'Connected' }),
      ]);
      const h = r.subject.health();
      expect(h.state, 'health().state').to.equal('Connected');
      expect(h.canTrade, 'health().canTrade').to.equal(true);
    },
  },
  {
    id: 'BRK-01', // docs/conformance-cards.md#brk-01
    variant: 'b',
    title: 'Connect fails fast when credentials are refused',
    baseline: true,
    fresh: true,
    applies: f('authFail'),
    run: async (r) => {
      await (r.venue().authFail as () => unknown)();
      // Observe the outcome at once: the rejection may come while the kit settles.
      const p = r.subject.connect().then(
        () => null,
        (e: unknown) => e,
      );
      await r.settle();
      const err = await p;
      expect(errorCode(err), 'connect() rejects with').to.equal('BROKER.AUTH_FAILED');
      expectSequence(r.rec.events, [
        step('connection.changed', { from: 'Disconnected', to: 'Connecting' }),
        step('connection.changed', { from: 'Connecting', to: 'Disconnected', reason: 'BROKER.AUTH_FAILED' }),
      ]);
      expectCount(r.rec.events, 'connection.changed', { to: 'Connecting' }, 1, 'exactly one attempt');
    },
  },
  {
    id: 'BRK-02', // docs/conformance-cards.md#brk-02
    title: '`connect()` and `disconnect()` are idempotent',
    baseline: true,
    fresh: true,
    run: async (r) => {
      // (d) first: this adapter has never connected.
      await r.subject.disconnect();
      expectNone(r.rec.events, 'connection.changed', undefined, '(d) disconnect before connect');
      // (a) two concurrent connects: one chain.
      const p1 = r.subject.connect();
      const p2 = r.subject.connect();
      await r.settle();
      await Promise.all([p1, p2]);
      expectCount(r.rec.events, 'connection.changed', { from: 'Disconnected', to: 'Connecting' }, 1, '(a)');
      expectCount(r.rec.events, 'connection.changed', { from: 'Connecting', to: 'Connected' }, 1, '(a)');
      // (b) connect while Connected resolves at once, no event.
      let m = r.rec.mark();
      await r.subject.connect();
      expectNone(r.rec.since(m), 'connection.changed', undefined, '(b)');
      // (c) disconnect twice.
      m = r.rec.mark();
      const d1 = r.subject.disconnect();
      await r.settle();
      await d1;
      await r.subject.disconnect();
      await r.settle();
      expectCount(r.rec.since(m), 'connection.changed', { from: 'Connected', to: 'Disconnected', reason: 'requested' }, 1, '(c)');
      expectCount(r.rec.since(m), 'connection.changed', undefined, 1, '(c) no other transition');
      // (e) connect again: the whole chain.
      m = r.rec.mark();
      await connect(r);
      expectSequence(
        r.rec.since(m),
        [
          step('connection.changed', { from: 'Disconnected', to: 'Connecting' }),
          step('connection.changed', { from: 'Connecting', to: 'Connected' }),
        ],
        '(e)',
      );
    },
  },
  {
    id: 'BRK-03', // docs/conformance-cards.md#brk-03
    title: '`dispose()` releases everything',
    baseline: true,
    run: async (r) => {
      const disposers = [0, 1, 2].map(() => r.subject.on('order.accepted', () => undefined));
      await resting(r, 'C1', 'buy', 120000);
      const m = r.rec.mark();
      const d = r.subject.dispose();
      await r.settle();
      await d;
      expectSequence(r.rec.since(m), [step('connection.changed', { to: 'Disconnected', reason: 'disposed' })]);
      const after = r.rec.mark();
      await r.settle(r.timeouts.park + 1_000_000);
      expect(r.rec.since(after), 'events after dispose').to.deep.equal([]);
      expect(r.clock.pendingTimers(), 'timers left on the virtual clock').to.equal(0);
      const cancels = r.received('cancel', 'C1');
      if (cancels !== null) expect(cancels, 'cancels sent for C1 by dispose').to.equal(0);
      let thrown: unknown = null;
      try {
        r.subject.submit(order('C2', 'buy', 'limit', 100, { limit: 120000, symbol: r.fx.symbol }));
      } catch (e) {
        thrown = e;
      }
      expect(errorCode(thrown), 'a call after dispose throws').to.equal('BROKER.DISPOSED');
      for (const dispose of disposers) dispose();
    },
  },
  {
    id: 'BRK-06', // docs/conformance-cards.md#brk-06
    title: 'Nothing routes unless Connected',
    baseline: true,
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      const d = r.subject.disconnect();
      await r.settle();
      await d;
      const placedBefore = r.received('place');
      const m = r.rec.mark();
      const receipt = r.subject.submit(order('C2', 'buy', 'limit', 100, { limit: 120000, symbol: r.fx.symbol }));
      r.subject.cancel('C1');
      r.subject.modify('C1', { limitPrice: 121000 });
      await r.settle();
      expect(receipt.status, 'submit receipt while Disconnected').to.equal('rejected');
      const ev = r.rec.since(m);
      expectSequence(ev, [step('order.rejected', { coid: 'C2', origin: 'adapter', code: 'BROKER.NOT_CONNECTED' })]);
      expectSequence(ev, [step('order.cancel-rejected', { coid: 'C1', code: 'BROKER.NOT_CONNECTED' })]);
      expectSequence(ev, [step('order.modify-rejected', { coid: 'C1', code: 'BROKER.NOT_CONNECTED' })]);
      expectNone(ev, 'order.submitted');
      expectNone(ev, 'order.unknown');
      await connect(r);
      const later = r.rec.since(m);
      expectNone(later, 'order.submitted', { coid: 'C2' }, 'nothing queued for later');
      expectNone(later, 'order.modified', { coid: 'C1' }, 'nothing queued for later');
      expectNone(later, 'order.cancel-requested', { coid: 'C1' }, 'nothing queued for later');
      const placedAfter = r.received('place');
      if (placedBefore !== null && placedAfter !== null) expect(placedAfter, 'placements at the venue').to.equal(placedBefore);
    },
  },
  {
    id: 'BRK-10', // docs/conformance-cards.md#brk-10
    title: 'A market BUY fills with exec id and commission',
    baseline: false,
    applies: flag('supportsMarketOrders'),
    run: async (r) => {
      submitSent(r, order('C1', 'buy', 'market', 100));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1', type: 'market', side: 'buy', qty: 100 }),
        step('order.accepted', { coid: 'C1', brokerOrderId: is.nonEmptyString }),
        step('order.filled', {
          coid: 'C1',
          execId: is.nonEmptyString,
          qty: 100,
          price: r.fx.ask,
          cumQty: 100,
          leavesQty: 0,
          status: 'Filled',
        }),
        step('position.changed', { symbol: r.fx.symbol, qty: 100, avgPrice: r.fx.ask, source: 'fill' }),
      ]);
      await r.settle(r.timeouts.commissionWait);
      expectCommission(r.rec.events, execIdOf(r.rec.events, 'C1'), r.fx.commissionPerExecution);
      expect(
        r.subject.openOrders().map((o) => o.coid),
        'openOrders()',
      ).to.not.include('C1');
    },
  },
  {
    id: 'BRK-11', // docs/conformance-cards.md#brk-11
    title: 'A market SELL closes the position; flat is reported as flat',
    baseline: false,
    applies: flag('supportsMarketOrders'),
    run: async (r) => {
      submitSent(r, order('C1', 'buy', 'market', 100));
      await r.settle();
      await r.venue().quote(r.fx.symbol, 123600, 500, 123700, 300);
      await r.settle();
      const m = r.rec.mark();
      submitSent(r, order('C2', 'sell', 'market', 100));
      await r.settle();
      expectSequence(r.rec.since(m), [
        step('order.submitted', { coid: 'C2' }),
        step('order.accepted', { coid: 'C2' }),
        step('order.filled', { coid: 'C2', side: 'sell', qty: 100, price: 123600, status: 'Filled' }),
        step('position.changed', { symbol: r.fx.symbol, qty: 0, realizedPnl: 10000 }),
      ]);
      const row = r.subject.positions().find((p) => p.symbol === r.fx.symbol);
      if (row !== undefined) expect(row.quantity, 'positions() row for a flat symbol').to.equal(0);
    },
  },
  {
    id: 'BRK-12', // docs/conformance-cards.md#brk-12
    title: 'Positions and the account snapshot agree with the fills',
    baseline: true,
    run: async (r) => {
      const v = r.venue();
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 123500 }));
      await r.settle();
      await v.quote(r.fx.symbol, 123600, 500, 123700, 300);
      await r.settle();
      submitSent(r, order('C2', 'buy', 'limit', 100, { limit: 123700 }));
      await r.settle();
      await v.quote(r.fx.symbol, 124000, 500, 124100, 300);
      await r.settle();
      submitSent(r, order('C3', 'sell', 'limit', 50, { limit: 124000 }));
      await r.settle(r.timeouts.commissionWait);
      expectSequence(r.rec.events, [
        step('position.changed', { qty: 100, avgPrice: 123500 }),
        step('position.changed', { qty: 200, avgPrice: 123600 }),
        step('position.changed', { qty: 150, avgPrice: 123600, realizedPnl: 20000 }),
      ]);
      const pos = r.subject
        .positions()
        .filter((p) => p.quantity !== 0)
        .map((p) => ({ symbol: p.symbol, qty: p.quantity, avg: p.averagePrice }));
      expect(pos, 'positions()').to.deep.equal([{ symbol: r.fx.symbol, qty: 150, avg: 123600 }]);
      const a = r.subject.accountSnapshot();
      expect(a.currency, 'account currency').to.equal(r.fx.currency);
      expect(a.cash, 'cash').to.equal(r.fx.cash - 123500 * 100 - 123700 * 100 + 124000 * 50 - 3 * r.fx.commissionPerExecution);
      for (const k of ['cash', 'equity', 'buyingPower', 'realizedPnl', 'unrealizedPnl'] as const) {
        expect(Number.isSafeInteger(a[k]), `accountSnapshot().${k} = ${a[k]} is an integer`).to.equal(true);
      }
      const b = r.subject.accountSnapshot();
      expect({ ...b, time: 0 }, 'two snapshots with no activity').to.deep.equal({ ...a, time: 0 });
    },
  },
  {
    id: 'BRK-20', // docs/conformance-cards.md#brk-20
    title: 'Limit orders rest on both sides',
    baseline: true,
    run: async (r) => {
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 120000 }));
      submitSent(r, order('C2', 'sell', 'limit', 100, { limit: 127000 }));
      await r.settle();
      for (const coid of ['C1', 'C2'])
        expectSequence(r.rec.events, [
          step('order.submitted', { coid }),
          step('order.accepted', { coid, brokerOrderId: is.nonEmptyString }),
        ]);
      const ids = r.rec.of('order.accepted').map((e) => e.payload.brokerOrderId);
      expect(new Set(ids).size, 'distinct broker ids').to.equal(2);
      expectNone(r.rec.events, 'order.filled');
      const rows = r.subject
        .openOrders()
        .map((o) => ({ coid: o.coid, side: o.side, qty: o.quantity, price: o.limitPrice, status: o.status, filled: o.filledQuantity }));
      expect(rows, 'openOrders()').to.deep.include({ coid: 'C1', side: 'buy', qty: 100, price: 120000, status: 'Accepted', filled: 0 });
      expect(rows, 'openOrders()').to.deep.include({ coid: 'C2', side: 'sell', qty: 100, price: 127000, status: 'Accepted', filled: 0 });
    },
  },
  {
    id: 'BRK-21', // docs/conformance-cards.md#brk-21
    title: 'A marketable limit fills at its limit or better',
    baseline: true,
    run: async (r) => {
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 123600 }));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1' }),
        step('order.accepted', { coid: 'C1' }),
        step('order.filled', { coid: 'C1', qty: 100, price: r.caps.isLive ? is.atMost(123600) : r.fx.ask, status: 'Filled' }),
        step('position.changed', { qty: 100 }),
      ]);
    },
  },
  {
    id: 'BRK-22', // docs/conformance-cards.md#brk-22
    title: 'Partial fills add up to Filled',
    baseline: false,
    applies: f('partialFill'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      await r.venue().fill('C1', { qty: 40, price: 123400 });
      await r.settle();
      await r.venue().fill('C1', { qty: 60, price: 123300 });
      await r.settle(r.timeouts.commissionWait);
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'C1', qty: 40, cumQty: 40, leavesQty: 60, status: 'PartiallyFilled' }),
        step('position.changed', { qty: 40, avgPrice: 123400 }),
        step('order.filled', { coid: 'C1', qty: 60, cumQty: 100, leavesQty: 0, status: 'Filled' }),
        step('position.changed', { qty: 100, avgPrice: 123340 }),
      ]);
      for (const e of r.rec.of('order.filled')) expectCommission(r.rec.events, e.payload.execId as string, null);
    },
  },
  {
    id: 'BRK-23', // docs/conformance-cards.md#brk-23
    title: 'Partial fill, then cancel; fills during a pending cancel count',
    baseline: false,
    applies: f('partialFill'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      await r.venue().fill('C1', { qty: 40, price: 123400 });
      await r.settle();
      r.subject.cancel('C1');
      await r.venue().fill('C1', { qty: 20, price: 123400 });
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.filled', { coid: 'C1', cumQty: 40, status: 'PartiallyFilled' }),
        step('order.cancel-requested', { coid: 'C1' }),
        step('order.filled', { coid: 'C1', cumQty: 60, leavesQty: 40 }),
        step('order.cancelled', { coid: 'C1', filledQty: 60, cancelledQty: 40, reason: 'requested' }),
      ]);
      expectSequence(r.rec.events, [step('position.changed', { qty: 60 })]);
      expect(r.subject.openOrders().map((o) => o.coid)).to.not.include('C1');
    },
  },
  {
    id: 'BRK-24', // docs/conformance-cards.md#brk-24
    title: 'A stop rests, then triggers and fills',
    baseline: false,
    applies: flag('supportsStopOrders'),
    run: async (r) => {
      submitSent(r, order('C0', 'buy', 'limit', 100, { limit: r.fx.ask }));
      await r.settle();
      submitSent(r, order('S1', 'sell', 'stop', 100, { trigger: 122000 }));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'S1', type: 'stop', triggerPrice: 122000 }),
        step('order.accepted', { coid: 'S1' }),
      ]);
      expectNone(r.rec.events, 'order.triggered', { coid: 'S1' }, 'no trigger while the market stays above');
      await r.venue().fill('S1');
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.triggered', { coid: 'S1' }),
        step('order.filled', { coid: 'S1', side: 'sell', qty: 100, status: 'Filled' }),
        step('position.changed', { qty: 0 }),
      ]);
    },
  },
  {
    id: 'BRK-30', // docs/conformance-cards.md#brk-30
    title: 'Cancel a resting order',
    baseline: true,
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      r.subject.cancel('C1');
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.cancel-requested', { coid: 'C1' }),
        step('order.cancelled', { coid: 'C1', filledQty: 0, cancelledQty: 100, reason: 'requested' }),
      ]);
      expectCount(r.rec.events, 'order.cancelled', { coid: 'C1' }, 1);
      expect(r.subject.openOrders().map((o) => o.coid)).to.not.include('C1');
    },
  },
  {
    id: 'BRK-31', // docs/conformance-cards.md#brk-31
    title: 'Cancelling a closed or unknown order is rejected',
    baseline: true,
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      r.subject.cancel('C1');
      await r.settle();
      submitSent(r, order('C3', 'buy', 'limit', 100, { limit: r.fx.ask }));
      await r.settle();
      expectSequence(r.rec.events, [step('order.filled', { coid: 'C3', status: 'Filled' })], 'setup: C3 filled');
      const m = r.rec.mark();
      const cancelsBefore = r.received('cancel');
      r.subject.cancel('C1');
      r.subject.cancel('C3');
      r.subject.cancel('C9');
      await r.settle();
      const ev = r.rec.since(m);
      expectSequence(ev, [step('order.cancel-rejected', { coid: 'C1', code: 'ORDER.NOT_OPEN' })]);
      expectSequence(ev, [step('order.cancel-rejected', { coid: 'C3', code: 'ORDER.NOT_OPEN' })]);
      expectSequence(ev, [step('order.cancel-rejected', { coid: 'C9', code: 'ORDER.UNKNOWN' })]);
      expectNone(ev, 'order.cancelled');
      expectNone(ev, 'order.cancel-requested', { coid: 'C9' });
      const cancelsAfter = r.received('cancel');
      if (cancelsBefore !== null && cancelsAfter !== null) expect(cancelsAfter, 'cancels sent').to.equal(cancelsBefore);
    },
  },
];
