import { expect } from 'chai';
import type { AppliesFn, CardDef } from '../card.js';
import { deepEqual, expectCount, expectNone, expectSequence, step } from '../recorder.js';
import { codes } from './risk-cards-decision.js';
import { entry, exit, long, ny, riskContext, seconds } from './risk-fixtures.js';
import type { RiskRun, RuntimeRun } from './risk-types.js';

// Runtime cards (docs/conformance-kit.md#risk-limits, RISK-11 to RISK-14; docs/conformance-cards.md#risk-11): the subject owns RUNNING →
// SAFE_MODE → HALT. The kit drives it with the kill switch's inputs (connection, rejects, venue errors, staleness) and operator commands,
// on its virtual clock.

const owns: AppliesFn = (env) => (env.capabilities.ownsRuntimeState === true ? null : 'requires ownsRuntimeState; declared false');

const engine: AppliesFn = (env) =>
  owns(env) ??
  (env.capabilities.engine === true ? null : 'requires options.engine (the kernel with a recording broker double); none given');

const code =
  (c: string) =>
  (x: unknown): boolean =>
    (x as { code?: string } | undefined)?.code === c;

function connection(rt: RuntimeRun, from: string, to: string, reason: string): void {
  rt.subject.signal('connection.changed', { from, to, reason, at: rt.clock.now() });
}

function transitions(rt: RuntimeRun): string[] {
  return rt.rec.of('risk.state-changed').map((e) => `${String(e.payload.from)}→${String(e.payload.to)}`);
}

export const runtimeCards: readonly CardDef<RiskRun>[] = [
  {
    id: 'RISK-11', // docs/conformance-cards.md#risk-11
    title: 'State machine: automatic escalation, operator clear',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime({ outage: { safeModeOnDegraded: true } });
      const day = riskContext();
      connection(rt, 'Connected', 'Degraded', 'upstream-lost');
      expectSequence(
        rt.rec.events,
        [step('risk.state-changed', { from: 'RUNNING', to: 'SAFE_MODE', by: 'auto', reason: code('RISK.BROKER_NOT_READY') })],
        '(1)',
      );
      connection(rt, 'Degraded', 'Connected', 'restored');
      expect(rt.subject.state, '(2) automatic transitions only escalate').to.equal('SAFE_MODE');
      expect(rt.subject.clear('op-1', 'broker back', day).ok, '(3) clear').to.equal(true);
      expectSequence(rt.rec.events, [step('risk.state-changed', { from: 'SAFE_MODE', to: 'RUNNING', by: 'op-1' })], '(3)');
      rt.subject.monitor(riskContext({ dailyPnl: -2_500_000 }));
      expectSequence(
        rt.rec.events,
        [step('risk.state-changed', { from: 'RUNNING', to: 'HALT', by: 'auto', reason: code('RISK.DAILY_LOSS') })],
        '(4)',
      );
      const refused = rt.subject.clear('op-1', 'same day', riskContext({ dailyPnl: -2_500_000 }));
      expect(refused.ok, '(5) clear the same day').to.equal(false);
      expectSequence(
        rt.rec.events,
        [step('risk.clear-refused', { reasons: (x: unknown) => (x as { code: string }[]).some((y) => y.code === 'RISK.DAILY_LOSS') })],
        '(5)',
      );
      expect(rt.subject.state, '(5) stays HALT').to.equal('HALT');
      const nextDay = riskContext({ now: ny(9, 30) + 86_400_000_000, dailyPnl: 0 });
      expect(rt.subject.clear('op-1', 'new day', nextDay).ok, '(6) clear on the next trading day').to.equal(true);
      expect(transitions(rt)).to.deep.equal(['RUNNING→SAFE_MODE', 'SAFE_MODE→RUNNING', 'RUNNING→HALT', 'HALT→RUNNING']);
    },
  },
  {
    id: 'RISK-12', // docs/conformance-cards.md#risk-12
    title: 'SAFE_MODE allows only intents that reduce a position',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime({ outage: { safeModeOnDegraded: true } });
      connection(rt, 'Connected', 'Degraded', 'upstream-lost');
      expect(rt.subject.state, 'setup: SAFE_MODE').to.equal('SAFE_MODE');
      const ctx = riskContext({ positions: [long('XYZ', 100)], openOrderCount: 1 });
      for (const [label, intent] of [
        ['entry XYZ', entry('XYZ')],
        ['entry ABC', entry('ABC')],
        ['exit XYZ 150', exit('XYZ', 150)],
      ] as const) {
        const d = rt.subject.evaluate(intent, ctx);
        expect({ action: d.action, reasons: codes(d) }, label).to.deep.equal({ action: 'reject', reasons: ['RISK.SAFE_MODE'] });
      }
      expect(rt.subject.evaluate(exit('XYZ', 100), ctx).action, 'exit XYZ 100').to.equal('allow');
      // The cancel part is not an intent: cancels never pass `evaluate`, so the gate cannot block them.
    },
  },
  {
    id: 'RISK-13', // docs/conformance-cards.md#risk-13
    title: 'HALT flattens once, then nothing routes',
    baseline: false,
    applies: engine,
    run: async (r) => {
      const er = await r.engine({ position: { symbol: 'XYZ', quantity: 100 }, restingEntries: 2 });
      const s = er.session;
      expect(s.state, 'setup: RUNNING').to.equal('RUNNING');
      expect(s.resting, 'setup: two resting entry orders').to.have.length(2);
      // What the double saw before the trigger is the setup; the card counts everything after it, restart included.
      const before = s.broker.length;
      const mark = er.rec.mark();
      // The trigger: a pacing violation from the venue (RISK-14 (d): → HALT, docs/conformance-cards.md#risk-14). `at` is restamped by the engine.
      s.signal('broker.error', {
        code: 100,
        harvesterCode: 'RISK.PACING',
        message: 'IB 100: max rate of messages exceeded',
        severity: 'warn',
        at: 0,
      });
      expectSequence(
        er.rec.since(mark),
        [
          step('risk.state-changed', {
            from: 'RUNNING',
            to: 'HALT',
            reason: (x: unknown) => typeof (x as { code?: unknown })?.code === 'string',
          }),
        ],
        'the trigger',
      );
      const flatten = s.broker.slice(before);
      const cancels = flatten.filter((q) => q.op === 'cancel').map((q) => q.coid);
      expect([...cancels].sort(), 'the flatten procedure: one cancel per resting order, each once').to.deep.equal([...s.resting].sort());
      const closes = flatten
        .filter((q) => q.op === 'submit')
        .map((q) => ({ symbol: q.symbol, side: q.side, quantity: q.quantity, origin: q.origin }));
      expect(closes, 'the flatten procedure: one closing order').to.deep.equal([
        { symbol: 'XYZ', side: 'sell', quantity: 100, origin: 'halt-flatten' },
      ]);

      const intents = [
        { kind: 'entry', intentId: 'K13-entry', symbol: 'XYZ', side: 'buy', quantity: 100, type: 'limit', limitPrice: 123500 },
        { kind: 'exit', intentId: 'K13-exit', symbol: 'XYZ', side: 'sell', quantity: 100, type: 'market' },
        { kind: 'modify', intentId: 'K13-modify', order: 0, limitPrice: 123000 },
      ] as const;
      const afterFlatten = er.rec.mark();
      for (const intent of intents) s.intent(intent);
      for (const intent of intents) {
        expectCount(
          er.rec.since(afterFlatten),
          'risk.denied',
          {
            intentId: intent.intentId,
            action: 'halt',
            reasons: (x: unknown) =>
              deepEqual(
                (x as { code?: string }[] | undefined)?.map((y) => y.code),
                ['RISK.HALTED'],
              ),
          },
          1,
          `${intent.kind} in HALT`,
        );
      }

      const next = await er.restart();
      expect(next.session.state, 'after the restart').to.equal('HALT');
      // The double outlives the session: what it received after the trigger, across the restart, is the flatten only.
      const all = next.session.broker.slice(before).map((q) => `${q.op} ${q.coid} (${q.origin})`);
      expect(
        all.filter((x) => x.startsWith('cancel')),
        'exactly 2 cancels',
      ).to.have.length(2);
      expect(
        all.filter((x) => x.startsWith('submit')),
        'exactly 1 closing order',
      ).to.have.length(1);
      expect(all, 'nothing else').to.have.length(3);
    },
  },
  {
    id: 'RISK-14', // docs/conformance-cards.md#risk-14
    variant: 'a',
    title: 'Kill-switch triggers: reconnect loop',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime();
      for (let i = 0; i < 4; i++) {
        connection(rt, 'Connected', 'Reconnecting', 'socket closed');
        connection(rt, 'Reconnecting', 'Connected', 'reconnected');
        rt.clock.advanceTo(rt.clock.now() + seconds(10));
      }
      expectCount(
        rt.rec.events,
        'risk.state-changed',
        { to: 'HALT', reason: code('RISK.RECONNECT_LOOP') },
        1,
        'one transition, however often',
      );
    },
  },
  {
    id: 'RISK-14', // docs/conformance-cards.md#risk-14
    variant: 'b',
    title: 'Kill-switch triggers: an outage inside a reset window counts when it ends',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime({ outage: { quietWindows: [{ start: '23:45', end: '01:00' }], action: 'SAFE_MODE' } });
      rt.clock.advanceTo(ny(23, 50));
      connection(rt, 'Connected', 'Degraded', 'upstream-lost');
      rt.clock.advanceTo(ny(24, 59, 59));
      expectNone(rt.rec.events, 'risk.state-changed', undefined, 'inside the window');
      rt.clock.advanceTo(ny(25, 1));
      expectCount(rt.rec.events, 'risk.state-changed', { to: 'SAFE_MODE', reason: code('RISK.OUTAGE') }, 1, 'when the window ends');
    },
  },
  {
    id: 'RISK-14', // docs/conformance-cards.md#risk-14
    variant: 'c',
    title: 'Kill-switch triggers: repeated order rejections',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime();
      for (let i = 0; i < 5; i++) {
        rt.subject.signal('order.rejected', {
          coid: `C${i}`,
          origin: 'broker',
          code: 'ORDER.REJECTED',
          reason: 'venue',
          at: rt.clock.now(),
        });
        rt.clock.advanceTo(rt.clock.now() + seconds(1));
      }
      expectCount(rt.rec.events, 'risk.state-changed', { to: 'HALT', reason: code('RISK.REPEATED_REJECTS') }, 1, 'one transition');
    },
  },
  {
    id: 'RISK-14', // docs/conformance-cards.md#risk-14
    variant: 'd',
    title: 'Kill-switch triggers: pacing and line-budget errors',
    baseline: false,
    applies: owns,
    run: async (r) => {
      for (const [venueCode, expected] of [
        [100, 'RISK.PACING'],
        [101, 'RISK.LINE_BUDGET'],
      ] as const) {
        const rt = await r.runtime();
        for (let i = 0; i < 3; i++) {
          rt.subject.signal('broker.error', {
            code: venueCode,
            harvesterCode: 'BROKER.REQUEST_FAILED',
            message: `IB ${venueCode}`,
            severity: 'warn',
            at: rt.clock.now(),
          });
        }
        expectCount(rt.rec.events, 'risk.state-changed', { to: 'HALT', reason: code(expected) }, 1, `IB ${venueCode}`);
      }
    },
  },
  {
    id: 'RISK-14', // docs/conformance-cards.md#risk-14
    variant: 'e',
    title: 'Kill-switch triggers: data stale beyond the kill threshold',
    baseline: false,
    applies: owns,
    run: async (r) => {
      const rt = await r.runtime();
      for (const silentFor of [seconds(30), seconds(31), seconds(40)]) {
        rt.subject.signal('feed.stale', { symbol: 'XYZ', stream: 'quote', silentFor, escalated: false });
      }
      expectCount(rt.rec.events, 'risk.state-changed', { to: 'HALT', reason: code('RISK.STALE_DATA') }, 1, 'one transition');
    },
  },
];
