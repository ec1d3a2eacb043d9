import { expect } from 'chai';
import { requires } from '../card.js';
import { either, expectNone, expectSequence, step } from '../recorder.js';
import { feature, order, resting, stateOf, submitSent, until } from './broker-helpers.js';
import type { BrokerCard } from './broker-cards-lifecycle.js';
import type { BrokerRun, VenueMessage } from './broker-types.js';

const f = requires.feature;
const flag = requires.flag;

/** What the venue received, in arrival order, with the kit-clock times the driver stamped (live runs: none). */
function stamped(r: BrokerRun): VenueMessage[] | null {
  const list = r.venue().received?.() ?? null;
  return list !== null && list.every((m) => typeof m.at === 'number') ? [...list] : null;
}

/** By the driver's timestamps, no window ever carries more than the declared budget (every message counts). */
function expectWithinBudget(r: BrokerRun): void {
  const times = (r.venue().traffic?.() ?? stamped(r)?.map((m) => m.at!) ?? []).slice().sort((a, b) => a - b);
  const { budget, window } = r.timeouts.pacing;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[j]! < times[i]! - window + 1) j++;
    expect(i - j + 1, `messages in the window ending at ${times[i]} (budget ${budget} per ${window} µs)`).to.be.at.most(budget);
  }
}

/** Submits `n` resting entries far from the market and waits until the venue has all of them; their span (µs). */
async function burst(r: BrokerRun, tag: string, n: number): Promise<number | null> {
  for (let i = 1; i <= n; i++) submitSent(r, order(`${tag}${i}`, 'buy', 'limit', 1, { limit: 110000 }));
  const placed = (): VenueMessage[] => (stamped(r) ?? []).filter((m) => m.kind === 'place' && m.coid.startsWith(tag));
  await until(
    r,
    () => r.rec.of('order.accepted').filter((e) => String(e.payload.coid).startsWith(tag)).length === n,
    `${tag}: ${n} entries accepted`,
    8,
  );
  const p = placed();
  return p.length === n ? p[n - 1]!.at! - p[0]!.at! : null;
}

/**
 * Outbound pacing (BRK-08, docs/conformance-kit.md#broker-connection), the cancel race (BRK-32,
 * docs/conformance-kit.md#broker-cancel), the modify race (BRK-42, docs/conformance-kit.md#broker-modify).
 */
export const raceCards: BrokerCard[] = [
  {
    id: 'BRK-08', // docs/conformance-cards.md#brk-08
    variant: 'a',
    title: 'Outbound pacing keeps cancels first: a cancel behind 200 queued entries',
    baseline: false,
    applies: flag('hasOutboundPacer'),
    timeoutMs: 90_000,
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      // 200 low-priority requests: new entries, queued at once (a burst of new orders must never delay a cancel).
      for (let i = 1; i <= 200; i++) submitSent(r, order(`N${i}`, 'buy', 'limit', 1, { limit: 110000 }));
      const calledAt = r.clock.now();
      r.subject.cancel('C1');
      await until(
        r,
        () => r.rec.of('order.accepted').filter((e) => String(e.payload.coid).startsWith('N')).length === 200,
        '200 entries accepted',
        12,
      );
      expectSequence(r.rec.events, [
        step('order.cancel-requested', { coid: 'C1' }),
        step('order.cancelled', { coid: 'C1', reason: 'requested' }),
      ]);
      const got = stamped(r);
      if (got === null) return; // no driver timestamps (live): the order of events above is what can be checked
      const cancelAt = got.findIndex((m) => m.kind === 'cancel' && m.coid === 'C1');
      expect(cancelAt, 'the venue received the cancel of C1').to.be.at.least(0);
      const cancel = got[cancelAt]!;
      expect(cancel.at! - calledAt, `the cancel left within one pacing slot (${r.timeouts.pacing.slot} µs)`).to.be.at.most(
        r.timeouts.pacing.slot,
      );
      // Ahead of every queued entry: what reached the venue before it had left before the cancel was asked for.
      for (const m of got.slice(0, cancelAt))
        if (m.coid.startsWith('N')) expect(m.at!, `entry ${m.coid} ahead of the cancel was already sent`).to.be.at.most(calledAt);
      expect(
        got.slice(cancelAt).filter((m) => m.kind === 'place' && m.coid.startsWith('N')).length,
        'entries still queued behind the cancel',
      ).to.be.at.least(150);
      expectWithinBudget(r);
    },
  },
  {
    id: 'BRK-08', // docs/conformance-cards.md#brk-08
    variant: 'b',
    title: 'A pacing violation slows the pacer down and keeps the link',
    baseline: false,
    applies: requires.all(flag('hasOutboundPacer'), f('pacing')),
    timeoutMs: 60_000,
    run: async (r) => {
      const before = await burst(r, 'P', 20);
      const m = r.rec.mark();
      await feature(r, 'pacing')();
      await r.settle(1_000);
      const after = await burst(r, 'Q', 20);
      const ev = r.rec.since(m);
      expectSequence(ev, [step('broker.anomaly', { kind: 'pacing' })]);
      expectNone(ev, 'connection.changed', undefined, 'the adapter stays Connected');
      expect(stateOf(r), 'state').to.equal('Connected');
      // Backoff is applied: the same burst takes longer right after the violation than before it.
      if (before !== null && after !== null)
        expect(after, `span of 20 entries after the violation (before: ${before} µs)`).to.be.greaterThan(before);
      expectWithinBudget(r);
    },
  },
  ...(['a', 'b', 'c'] as const).map((variant): BrokerCard => {
    const mode = ({ a: 'fill-first', b: 'refusal-first', c: 'not-found' } as const)[variant];
    const what = {
      a: 'the fill report arrives first',
      b: 'the refusal arrives first',
      c: 'the refusal says "not found"; reconciliation finds the fill',
    }[variant];
    return {
      id: 'BRK-32', // docs/conformance-cards.md#brk-32
      variant,
      title: `Cancel after fill: the fill wins (${what})`,
      baseline: false,
      applies: f('cancelRace'),
      run: async (r) => {
        await resting(r, 'C1', 'buy', 123400);
        await feature(r, 'cancelRace')(mode);
        r.subject.cancel('C1');
        await until(
          r,
          () =>
            r.subject.orderStatus('C1') === 'Filled' &&
            r.rec.of('order.cancel-rejected', { coid: 'C1' }).length > 0 &&
            (variant !== 'c' || r.rec.of('reconciliation.completed').length > 1),
          'C1 filled and its cancel refused',
          6,
        );
        if (variant === 'c') {
          expectSequence(r.rec.events, [
            step('order.cancel-requested', { coid: 'C1' }),
            step('order.cancel-rejected', { coid: 'C1', code: 'ORDER.NOT_FOUND' }),
            step('reconciliation.started', { trigger: 'request' }),
            step('order.filled', { coid: 'C1' }),
            step('reconciliation.completed'),
          ]);
        } else {
          expectSequence(r.rec.events, [
            step('order.cancel-requested', { coid: 'C1' }),
            either(
              step('order.filled', { coid: 'C1', cumQty: 100, status: 'Filled' }),
              step('order.cancel-rejected', { coid: 'C1', code: 'ORDER.ALREADY_FILLED' }),
            ),
          ]);
        }
        expectNone(r.rec.events, 'order.cancelled', { coid: 'C1' });
        expect(r.subject.orderStatus('C1'), 'final state of C1').to.equal('Filled');
        expectSequence(r.rec.events, [step('position.changed', { qty: 100 })]);
      },
    };
  }),
  {
    id: 'BRK-42', // docs/conformance-cards.md#brk-42
    variant: 'a',
    title: "A refused modify leaves the order's venue state intact (filled while the modify was in flight)",
    baseline: false,
    applies: requires.all(flag('supportsModify'), f('modifyRace')),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 123400);
      await feature(r, 'modifyRace')('fill');
      r.subject.modify('C1', { limitPrice: 123300 });
      await until(r, () => r.rec.of('order.modify-rejected', { coid: 'C1' }).length > 0, 'the modify of C1 answered', 4);
      expectSequence(r.rec.events, [
        step('order.modify-requested', { coid: 'C1' }),
        either(
          step('order.filled', { coid: 'C1', status: 'Filled' }),
          step('order.modify-rejected', { coid: 'C1', code: 'ORDER.ALREADY_FILLED' }),
        ),
      ]);
      expectNone(r.rec.events, 'order.modified', { coid: 'C1' });
      expectNone(r.rec.events, 'order.rejected', { coid: 'C1' }, 'never marked rejected');
      expect(r.subject.orderStatus('C1'), 'C1 stays Filled').to.equal('Filled');
    },
  },
  {
    id: 'BRK-42', // docs/conformance-cards.md#brk-42
    variant: 'b',
    title: "A refused modify leaves the order's venue state intact (a second modify while the first is in progress)",
    baseline: false,
    applies: requires.all(flag('supportsModify'), f('modifyRace')),
    run: async (r) => {
      await resting(r, 'C1', 'buy', 120000);
      await feature(r, 'modifyRace')('in-progress');
      r.subject.modify('C1', { limitPrice: 121000 });
      r.subject.modify('C1', { limitPrice: 122000 });
      await until(
        r,
        () => r.rec.of('order.modified', { coid: 'C1' }).length > 0 && r.rec.of('order.modify-rejected', { coid: 'C1' }).length > 0,
        'both modifies answered',
        4,
      );
      expectSequence(r.rec.events, [step('order.modify-requested', { coid: 'C1' }), step('order.modify-requested', { coid: 'C1' })]);
      expectSequence(r.rec.events, [step('order.modify-rejected', { coid: 'C1', code: 'ORDER.MODIFY_IN_PROGRESS' })], 'the second modify');
      expectSequence(r.rec.events, [step('order.modified', { coid: 'C1', price: 121000 })], 'the first still completes');
      expectNone(r.rec.events, 'order.modify-rejected', { coid: 'C1', code: (c: unknown) => c !== 'ORDER.MODIFY_IN_PROGRESS' });
      const c1 = r.subject.openOrders().find((o) => o.coid === 'C1');
      expect(c1?.limitPrice, "C1 works at the first modify's price").to.equal(121000);
    },
  },
];
