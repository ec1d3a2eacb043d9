import { expect } from 'chai';
import { requires } from '../card.js';
import { SequenceMismatch } from '../card.js';
import { describe as describeEvent, expectCount, expectNone, expectSequence, is, step } from '../recorder.js';
import type { BrokerCard } from './broker-cards-lifecycle.js';
import { errorCode, feature, includesAll, order, resting, stateOf, submitSent, token, until } from './broker-helpers.js';
import type { BrokerRun } from './broker-types.js';

const f = requires.feature;
const flag = requires.flag;

/** Every `connection.changed` carries a reason and a Clock time within the card's run (BRK-04, docs/conformance-cards.md#brk-04). */
function expectReasonsAndClockTimes(r: BrokerRun, from: number, startedAt: number): void {
  for (const e of r.rec.of('connection.changed').filter((x) => x.index >= from)) {
    const at = e.payload.at as number;
    if (typeof e.payload.reason !== 'string' || e.payload.reason === '' || !(at >= startedAt && at <= r.clock.now())) {
      throw new SequenceMismatch(
        `connection.changed #${e.index} needs a reason and a Clock time in [${startedAt}, ${r.clock.now()}]`,
        ['reason, at'],
        r.rec.lines(),
      );
    }
  }
}

/** BRK-53 (docs/conformance-cards.md#brk-53): the venue swallows the placement of C1; reconciliation then finds it `outcome`. */
function silentPlacement(outcome: 'working' | 'filled' | 'absent'): BrokerCard {
  return {
    id: 'BRK-53', // docs/conformance-cards.md#brk-53
    variant: `a, ${outcome}`,
    title: `Silence after a submit means "unknown, reconcile": found ${outcome}`,
    baseline: false,
    applies: f('dropReply'),
    run: async (r) => {
      await feature(r, 'dropReply')('place', { coid: 'C1', outcome });
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 120000 }));
      await r.settle(r.timeouts.ackTimeout - 1_000_000);
      expectNone(r.rec.events, 'order.unknown', { coid: 'C1' }, 'nothing before T_ack');
      await r.settle();
      const tail =
        outcome === 'working'
          ? [step('order.accepted', { coid: 'C1', reconciled: true })]
          : outcome === 'filled'
            ? [step('order.accepted', { coid: 'C1', reconciled: true }), step('order.filled', { coid: 'C1' })]
            : [step('reconciliation.completed', { unresolvedCoids: includesAll('C1') })];
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1' }),
        step('order.unknown', { coid: 'C1', cause: 'ack-timeout' }),
        step('reconciliation.started', { trigger: 'ack-timeout' }),
        ...tail,
      ]);
      if (outcome === 'absent') expect(r.subject.orderStatus('C1'), 'C1 stays Unknown until a later pass').to.equal('Unknown');
      expectNone(r.rec.events, 'order.rejected', { coid: 'C1' });
      const placed = r.received('place', 'C1');
      if (placed !== null) expect(placed, 'placements of C1 (never re-sent)').to.equal(1);
    },
  };
}

/**
 * Connection faults (BRK-04, 05, 07; docs/conformance-kit.md#broker-connection) and statuses and silence (BRK-52, 53;
 * docs/conformance-kit.md#broker-rejects).
 */
export const faultCards: BrokerCard[] = [
  {
    id: 'BRK-04', // docs/conformance-cards.md#brk-04
    title: 'State transitions follow the table',
    baseline: false,
    applies: f('socketDrop', 'upstreamLoss', 'fatal'),
    run: async (r) => {
      const m = r.rec.mark();
      const startedAt = r.clock.now();
      await feature(r, 'socketDrop')();
      await until(
        r,
        () => stateOf(r) === 'Connected' && r.rec.of('connection.changed', { to: 'Reconnecting' }).length > 0,
        'Reconnecting → Connected',
      );
      await feature(r, 'upstreamLoss')('lost');
      await until(r, () => stateOf(r) === 'Degraded', 'Degraded');
      await feature(r, 'upstreamLoss')('restored', true);
      await until(r, () => stateOf(r) === 'Connected', 'Degraded → Connected');
      await feature(r, 'fatal')();
      await until(r, () => stateOf(r) === 'Disconnected', 'Halting → Disconnected');
      const chain = r.rec
        .since(m)
        .filter((e) => e.type === 'connection.changed')
        .map((e) => `${String(e.payload.from)}→${String(e.payload.to)}`);
      expect(chain, 'the transition chain').to.deep.equal([
        'Connected→Reconnecting',
        'Reconnecting→Connected',
        'Connected→Degraded',
        'Degraded→Connected',
        'Connected→Halting',
        'Halting→Disconnected',
      ]);
      expectReasonsAndClockTimes(r, m, startedAt);
      expect(r.subject.health().state, 'no Reconnecting or Degraded left open').to.equal('Disconnected');
    },
  },
  {
    id: 'BRK-05', // docs/conformance-cards.md#brk-05
    variant: 'a',
    title: 'A venue outage is edge-triggered, and reports keep flowing',
    baseline: false,
    applies: f('upstreamLoss', 'fill'),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      const m = r.rec.mark();
      for (let i = 0; i < 50; i++) await feature(r, 'upstreamLoss')('lost');
      await r.settle();
      await r.venue().fill('C1', { price: 123400 });
      await r.settle();
      const placed = r.received('place', 'C2');
      const receipt = r.subject.submit(order('C2', 'buy', 'limit', 100, { limit: 120000, symbol: r.fx.symbol }));
      expect(receipt.status, 'C2 while Degraded').to.equal('rejected');
      await r.settle();
      await feature(r, 'upstreamLoss')('restored', true);
      await until(r, () => stateOf(r) === 'Connected', 'Degraded → Connected');
      const ev = r.rec.since(m);
      expectSequence(ev, [
        step('connection.changed', { from: 'Connected', to: 'Degraded', reason: token('upstream-lost') }),
        step('order.filled', { coid: 'C1', qty: 100, status: 'Filled' }),
        step('order.rejected', { coid: 'C2', origin: 'adapter', code: 'BROKER.NOT_CONNECTED' }),
        step('reconciliation.started', { trigger: 'restored' }),
        step('reconciliation.completed', { status: 'complete' }),
        step('connection.changed', { from: 'Degraded', to: 'Connected' }),
      ]);
      expectCount(ev, 'connection.changed', { to: 'Degraded' }, 1, 'edge-triggered: one Degraded for 50 reports');
      expectNone(ev, 'connection.changed', { to: 'Reconnecting' }, 'the link is never closed');
      expectNone(ev, 'order.submitted', { coid: 'C2' });
      if (placed !== null) expect(r.received('place', 'C2'), 'the venue receives no placement for C2').to.equal(placed);
    },
  },
  {
    id: 'BRK-05', // docs/conformance-cards.md#brk-05
    variant: 'b',
    title: 'A market-data-only outage changes nothing on the order channel',
    baseline: false,
    applies: f('upstreamLoss', 'fill'),
    run: async (r) => {
      const m = r.rec.mark();
      await feature(r, 'upstreamLoss')('data-only');
      await r.settle();
      await resting(r, 'C1', 'buy', 120000);
      expectNone(r.rec.since(m), 'connection.changed');
    },
  },
  {
    id: 'BRK-07', // docs/conformance-cards.md#brk-07
    variant: 'a',
    title: 'A dead link is detected and re-established',
    baseline: false,
    applies: requires.all(flag('supportsReconnect'), f('silence', 'socketDrop', 'identityInUse')),
    run: async (r) => {
      const t = r.timeouts;
      const before = r.subject.health();
      const attemptsBefore = r.venue().connectAttempts?.().length ?? 0;
      const silentAt = r.clock.now();
      await feature(r, 'identityInUse')(3);
      await feature(r, 'silence')(true);
      await until(r, () => stateOf(r) === 'Reconnecting', 'Reconnecting after missed heartbeats', 8, t.heartbeat);
      const lost = r.rec.of('connection.changed', { to: 'Reconnecting' })[0]!;
      expect(lost.payload.reason, 'reason').to.satisfy(token('heartbeat'));
      expect(lost.payload.at as number, 'detected within the heartbeat budget').to.be.at.most(
        silentAt + (t.heartbeatMisses + 1) * t.heartbeat,
      );
      await feature(r, 'silence')(false);
      const unhealthy: string[] = [];
      await until(
        r,
        () => {
          const h = r.subject.health();
          if (h.state !== 'Connected' && h.canTrade) unhealthy.push(h.state);
          return stateOf(r) === 'Connected';
        },
        'Reconnecting → Connected',
        40,
        t.ladder[0],
      );
      expect(unhealthy, 'health() reports tradable outside Connected').to.deep.equal([]);
      expectSequence(r.rec.events, [
        step('connection.changed', { from: 'Connected', to: 'Reconnecting' }),
        step('reconciliation.completed', { status: 'complete' }),
        step('connection.changed', { from: 'Reconnecting', to: 'Connected' }),
      ]);
      const attempts = r.venue().connectAttempts?.().slice(attemptsBefore);
      if (attempts !== undefined) {
        expect(attempts.length, 'three refused attempts, then the accepted one').to.be.at.least(4);
        expect(new Set(attempts.map((a) => a.identity)).size, 'one client identity').to.equal(1);
        let prev = lost.payload.at as number;
        let prevDelay = 0;
        attempts.forEach((a, i) => {
          const delay = a.at - prev;
          const base = t.ladder[Math.min(i, t.ladder.length - 1)]!;
          expect(delay, `attempt ${i + 1}: delay ≥ ladder step ${base} µs −20 %`).to.be.at.least(Math.floor(base * 0.8));
          expect(delay, `attempt ${i + 1}: delay not shorter than the previous one, within jitter`).to.be.at.least(
            Math.floor((prevDelay * 0.8) / 1.2),
          );
          prev = a.at;
          prevDelay = delay;
        });
      }
      await r.settle(t.heartbeat + 1_000_000);
      const h = r.subject.health();
      expect({ state: h.state, reconnectCount: h.reconnectCount }, 'health()').to.deep.equal({ state: 'Connected', reconnectCount: 1 });
      expect(h.lastHeartbeatAt ?? 0, 'lastHeartbeatAt advanced').to.be.greaterThan(before.lastHeartbeatAt ?? silentAt);
      expect(h.clockSkew, 'clockSkew measured').to.be.a('number');
    },
  },
  {
    id: 'BRK-07', // docs/conformance-cards.md#brk-07
    variant: 'b',
    title: 'A venue down from the start: backoff until the connect deadline',
    baseline: false,
    fresh: true,
    applies: requires.all(flag('supportsReconnect'), f('silence', 'socketDrop', 'identityInUse')),
    run: async (r) => {
      await feature(r, 'socketDrop')('down');
      const p = r.subject.connect().then(
        () => null,
        (e: unknown) => e,
      );
      const healthy: string[] = [];
      let settled = false;
      void p.then(() => {
        settled = true;
      });
      await until(
        r,
        () => {
          const h = r.subject.health();
          if (h.canTrade) healthy.push(h.state);
          return settled;
        },
        'connect() settles by the deadline',
        Math.ceil(r.timeouts.connectDeadline / (r.timeouts.ackTimeout + 1_000_000)) + 4,
      );
      expect(errorCode(await p), 'connect() rejects with').to.equal('BROKER.CONNECT_TIMEOUT');
      expect(healthy, 'never tradable').to.deep.equal([]);
      expectSequence(r.rec.events, [
        step('connection.changed', { from: 'Disconnected', to: 'Connecting' }),
        step('connection.changed', { from: 'Connecting', to: 'Disconnected', reason: 'BROKER.CONNECT_TIMEOUT' }),
      ]);
      const attempts = r.venue().connectAttempts?.();
      if (attempts !== undefined) expect(attempts.length, 'attempts with backoff, not one').to.be.at.least(2);
      await feature(r, 'socketDrop')('up');
    },
  },
  {
    id: 'BRK-52', // docs/conformance-cards.md#brk-52
    variant: 'a',
    title: 'Inactive after an error reason is a broker reject',
    baseline: false,
    applies: f('inactive'),
    run: async (r) => {
      await feature(r, 'inactive')({ reason: 'order size exceeds limit' });
      submitSent(r, order('C1', 'buy', 'limit', 100, { limit: 120000 }));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.submitted', { coid: 'C1' }),
        step('order.rejected', {
          coid: 'C1',
          origin: 'broker',
          reason: (x: unknown) => typeof x === 'string' && x.includes('order size exceeds limit'),
        }),
      ]);
    },
  },
  {
    id: 'BRK-52', // docs/conformance-cards.md#brk-52
    variant: 'b',
    title: 'Inactive with a locate hold is a held acceptance',
    baseline: false,
    applies: f('inactive'),
    run: async (r) => {
      await feature(r, 'inactive')({ whyHeld: 'locate' });
      submitSent(r, order('C2', 'sell', 'limit', 100, { limit: 127000 }));
      await r.settle();
      expectSequence(r.rec.events, [
        step('order.accepted', { coid: 'C2', held: true, holdReason: (x: unknown) => typeof x === 'string' && x.includes('locate') }),
      ]);
      expectNone(r.rec.events, 'order.rejected', { coid: 'C2' });
    },
  },
  {
    id: 'BRK-52', // docs/conformance-cards.md#brk-52
    variant: 'c',
    title: 'An unrecognised status changes nothing',
    baseline: false,
    applies: f('inactive'),
    run: async (r) => {
      await resting(r, 'C3', 'buy', 120000);
      const m = r.rec.mark();
      await feature(r, 'inactive')({ coid: 'C3', status: 'Frobnicated' });
      await r.settle();
      const ev = r.rec.since(m).filter((e) => e.type !== 'broker.anomaly' && e.type !== 'broker.error');
      if (ev.some((e) => e.payload.coid === 'C3'))
        throw new SequenceMismatch('no event for C3', ['none: C3'], r.rec.since(m).map(describeEvent));
      expectSequence(r.rec.since(m), [step('broker.anomaly', { kind: 'unknown-status' })]);
      expect(r.subject.orderStatus('C3'), 'C3 keeps its state').to.equal('Accepted');
    },
  },
  silentPlacement('working'),
  silentPlacement('filled'),
  silentPlacement('absent'),
  {
    id: 'BRK-53', // docs/conformance-cards.md#brk-53
    variant: 'b',
    title: 'Silence after a cancel means "unknown, reconcile"',
    baseline: false,
    applies: f('dropReply'),
    run: async (r) => {
      await resting(r, 'C2', 'buy', 120000);
      await feature(r, 'dropReply')('cancel');
      const m = r.rec.mark();
      r.subject.cancel('C2');
      await r.settle(r.timeouts.ackTimeout - 1_000_000);
      expectNone(r.rec.since(m), 'order.cancel-rejected', { coid: 'C2' }, 'nothing at the timeout itself');
      await r.settle();
      await r.settle();
      const ev = r.rec.since(m);
      expectSequence(ev, [step('order.cancel-requested', { coid: 'C2' }), step('reconciliation.started')]);
      const cancelled = ev.some((e) => e.type === 'order.cancelled' && e.payload.coid === 'C2');
      if (!cancelled)
        expectSequence(ev, [
          step('reconciliation.started'),
          step('order.cancel-rejected', { coid: 'C2', code: 'ORDER.CANCEL_UNCONFIRMED', reconciled: true }),
        ]);
      expectNone(ev, 'order.rejected');
    },
  },
  {
    id: 'BRK-53', // docs/conformance-cards.md#brk-53
    variant: 'c',
    title: 'Silence after a modify means "unknown, reconcile"',
    baseline: false,
    applies: requires.all(f('dropReply'), flag('supportsModify')),
    run: async (r) => {
      await resting(r, 'C3', 'buy', 120000);
      await feature(r, 'dropReply')('modify');
      const m = r.rec.mark();
      r.subject.modify('C3', { limitPrice: 121000 });
      await r.settle(r.timeouts.ackTimeout - 1_000_000);
      expectNone(r.rec.since(m), 'order.modify-rejected', { coid: 'C3' }, 'nothing at the timeout itself');
      await r.settle();
      await r.settle();
      const ev = r.rec.since(m);
      expectSequence(ev, [step('order.modify-requested', { coid: 'C3' }), step('reconciliation.started')]);
      const modified = ev.some((e) => e.type === 'order.modified' && e.payload.coid === 'C3');
      if (!modified)
        expectSequence(ev, [
          step('reconciliation.started'),
          step('order.modify-rejected', { coid: 'C3', code: 'ORDER.MODIFY_UNCONFIRMED', reconciled: true }),
        ]);
      expectNone(ev, 'order.rejected');
      expectCount(r.rec.events, 'order.accepted', { coid: 'C3', reconciled: is.oneOf(false) }, 1, 'one acceptance of C3');
    },
  },
];
