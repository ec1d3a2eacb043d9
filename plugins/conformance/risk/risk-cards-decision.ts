import { expect } from 'chai';
import type { RiskDecision, RiskPolicy } from '../../../ports/risk-policy.js';
import type { AppliesFn, CardDef } from '../card.js';
import { deepEqual, expectCount, step, expectSequence } from '../recorder.js';
import { entry, exit, long, ny, riskContext, seconds, type RiskLimitName } from './risk-fixtures.js';
import type { RiskRun } from './risk-types.js';

// Decision cards (docs/conformance-kit.md#risk-limits): what `evaluate` answers. Where the subject also owns the runtime state, the cards'
// transition parts run on a fresh runtime (`r.runtime()`); a decision-only policy answers with the breaching action instead.

export const codes = (d: RiskDecision): string[] => d.reasons.map((r) => r.code);

export function expectDeny(d: RiskDecision, code: string, label: string): void {
  expect(d.action, `${label}: action`).to.be.oneOf(['reject', 'halt']);
  expect(codes(d), `${label}: reasons`).to.include(code);
}

export function expectAllow(d: RiskDecision, label: string): void {
  expect({ action: d.action, reasons: codes(d) }, label).to.deep.equal({ action: 'allow', reasons: [] });
}

export const limit =
  (...names: RiskLimitName[]): AppliesFn =>
  (env) => {
    const declared = (env.capabilities.limits ?? []) as readonly string[];
    return names.some((n) => declared.includes(n)) ? null : `requires limits ∋ ${names.join(' or ')}; declared [${declared.join(', ')}]`;
  };

export const needsGate: AppliesFn = (env) => (env.capabilities.gate === true ? null : 'requires a risk gate (options.gate); none given');

export const denyAll: RiskPolicy = {
  id: 'kit-deny',
  evaluate: () => ({ action: 'reject', reasons: [{ code: 'RISK.DENIED', limit: 'kit', observed: 1, threshold: 0 }], warnings: [] }),
};
const allowAll: RiskPolicy = { id: 'kit-allow', evaluate: () => ({ action: 'allow', reasons: [], warnings: [] }) };

export const decisionCards: readonly CardDef<RiskRun>[] = [
  {
    id: 'RISK-01', // docs/conformance-cards.md#risk-01
    title: 'No intent reaches a broker without an allow',
    baseline: true,
    applies: needsGate,
    run: async (r) => {
      const intents = [entry(), exit(), entry('XYZ', 100, { stopLoss: 123200, takeProfit: 124100 })];
      const deny = r.gate!([{ pluginId: 'kit-deny', policy: denyAll, action: 'reject' }]);
      for (const i of intents)
        expectDeny(deny.evaluate(i, riskContext({ positions: [long('XYZ', 100)] })), 'RISK.DENIED', `deny run ${i.kind}`);
      const allow = r.gate!([{ pluginId: 'kit-allow', policy: allowAll, action: 'reject' }]);
      for (const i of intents)
        expect(allow.evaluate(i, riskContext({ positions: [long('XYZ', 100)] })).action, `allow run ${i.kind}`).to.equal('allow');
    },
  },
  {
    id: 'RISK-02', // docs/conformance-cards.md#risk-02
    title: 'The daily loss limit halts at its boundary',
    baseline: false,
    applies: limit('dailyLoss'),
    run: async (r) => {
      expectAllow(r.evaluate(entry(), riskContext({ dailyPnl: -2_499_999 })), 'total −2,499,999');
      const d = r.evaluate(entry(), riskContext({ dailyPnl: -2_500_000 }));
      expectDeny(d, 'RISK.DAILY_LOSS', 'total −2,500,000');
      const reason = d.reasons.find((x) => x.code === 'RISK.DAILY_LOSS')!;
      expect([Math.abs(reason.observed), Math.abs(reason.threshold)], 'observed and threshold').to.deep.equal([2_500_000, 2_500_000]);
      if (r.policy.monitor) {
        expect(r.policy.monitor(riskContext({ dailyPnl: -2_499_999 })), 'monitor below the limit').to.equal(null);
        const m = r.policy.monitor(riskContext({ dailyPnl: -2_500_000 }));
        expect(m && { to: m.to, code: m.reason.code }, 'monitor at the limit').to.deep.equal({ to: 'HALT', code: 'RISK.DAILY_LOSS' });
      }
      expectAllow(r.evaluate(exit(), riskContext({ dailyPnl: -3_000_000, positions: [long('XYZ', 100)] })), 'an exit is never blocked');
      if (r.caps.ownsRuntimeState === true) {
        // The transition happens at the price update itself, not at the next intent.
        const rt = await r.runtime();
        rt.subject.monitor(riskContext({ dailyPnl: -2_499_999 }));
        expectCount(rt.rec.events, 'risk.state-changed', undefined, 0, 'no transition at −2,499,999');
        rt.subject.monitor(riskContext({ dailyPnl: -2_500_000 }));
        expectSequence(rt.rec.events, [
          step('risk.state-changed', {
            from: 'RUNNING',
            to: 'HALT',
            by: 'auto',
            reason: (x: unknown) => (x as { code: string }).code === 'RISK.DAILY_LOSS',
          }),
        ]);
        const t = rt.rec.of('risk.state-changed')[0]!.payload.reason as { observed: number; threshold: number };
        expect([t.observed, t.threshold], 'transition observed and threshold').to.deep.equal([-2_500_000, -2_500_000]);
        const d2 = rt.subject.evaluate(entry(), riskContext({ dailyPnl: -2_500_000 }));
        expect({ action: d2.action, reasons: codes(d2) }, 'second entry').to.deep.equal({ action: 'halt', reasons: ['RISK.HALTED'] });
      }
    },
  },
  {
    id: 'RISK-03', // docs/conformance-cards.md#risk-03
    title: 'Max open positions',
    baseline: false,
    applies: limit('maxOpenPositions'),
    run: async (r) => {
      const d = r.evaluate(entry('ABC'), riskContext({ positions: [long('XYZ', 100)] }));
      expectDeny(d, 'RISK.MAX_OPEN_POSITIONS', 'entry ABC while long XYZ');
      const reason = d.reasons.find((x) => x.code === 'RISK.MAX_OPEN_POSITIONS')!;
      expect([reason.observed, reason.threshold]).to.deep.equal([1, 1]);
      expectAllow(r.evaluate(exit('XYZ', 100), riskContext({ positions: [long('XYZ', 100)] })), 'exit XYZ');
      expectAllow(r.evaluate(entry('ABC'), riskContext({ positions: [] })), 'entry ABC when flat');
    },
  },
  {
    id: 'RISK-04', // docs/conformance-cards.md#risk-04
    title: 'Max trades per day, reset at the New York day boundary',
    baseline: false,
    applies: limit('maxTradesPerDay'),
    run: async (r) => {
      // The earlier entries were in other symbols, so a chain that also limits re-entries per symbol stays quiet.
      expectAllow(r.evaluate(entry(), riskContext({ tradesToday: 4, ordersToday: 4, entries: { ABC: 2, DEF: 2 } })), '5th entry');
      const d = r.evaluate(entry(), riskContext({ tradesToday: 5, ordersToday: 5, entries: { ABC: 2, DEF: 2, XYZ: 1 } }));
      expectDeny(d, 'RISK.MAX_TRADES_DAY', '6th entry');
      const reason = d.reasons.find((x) => x.code === 'RISK.MAX_TRADES_DAY')!;
      expect([reason.observed, reason.threshold]).to.deep.equal([5, 5]);
      expectAllow(r.evaluate(exit(), riskContext({ tradesToday: 5, ordersToday: 5, positions: [long('XYZ', 100)] })), 'exits never count');
      expectAllow(r.evaluate(entry(), riskContext({ now: ny(9, 30) + 86_400_000_000, tradesToday: 0, ordersToday: 0 })), 'next day 09:30');
    },
  },
  {
    id: 'RISK-05', // docs/conformance-cards.md#risk-05
    title: 'Size limits: risk per trade, max shares, max position value',
    baseline: false,
    applies: limit('riskPerTrade', 'maxShares', 'maxPositionValue'),
    run: async (r) => {
      const at = (qty: number, over = {}) => r.evaluate(entry('XYZ', qty, { limitPrice: 123500, stopLoss: 123200, ...over }));
      if (r.has('maxPositionValue')) {
        expectAllow(at(404), '404 shares');
        expectDeny(at(405), 'RISK.MAX_POSITION_VALUE', '405 shares');
      }
      if (r.has('maxShares') || r.has('maxPositionValue')) {
        const d = at(501);
        if (r.has('maxShares')) expectDeny(d, 'RISK.MAX_SHARES', '501 shares');
        if (r.has('maxPositionValue')) expectDeny(d, 'RISK.MAX_POSITION_VALUE', '501 shares lists every failing limit');
      }
      if (r.has('riskPerTrade')) {
        expect(at(404).action, '404 shares within risk per trade').to.equal('allow');
        expectDeny(at(2_084, { limitPrice: 123500 }), 'RISK.RISK_PER_TRADE', '2,084 shares risk 625,200');
        expectDeny(at(100, { stopLoss: 123500 }), 'RISK.INVALID_STOP', 'stop equal to the price');
        expectDeny(at(100, { stopLoss: 123800 }), 'RISK.INVALID_STOP', 'long stop above the entry');
      }
    },
  },
  {
    id: 'RISK-06', // docs/conformance-cards.md#risk-06
    title: 'Re-entries per symbol, and the cooldown after a stop',
    baseline: false,
    applies: limit('maxReentriesPerSymbol', 'cooldownAfterStop'),
    run: async (r) => {
      const stopAt = ny(10, 0);
      if (r.has('cooldownAfterStop')) {
        expectDeny(
          r.evaluate(entry(), riskContext({ now: ny(10, 2, 59), entries: { XYZ: 2 }, stopOuts: { XYZ: stopAt } })),
          'RISK.COOLDOWN',
          '10:02:59',
        );
      }
      expectAllow(
        r.evaluate(entry(), riskContext({ now: ny(10, 3, 0), entries: { XYZ: 2 }, stopOuts: { XYZ: stopAt } })),
        '10:03:00, the second re-entry',
      );
      if (r.has('maxReentriesPerSymbol')) {
        expectDeny(
          r.evaluate(entry(), riskContext({ now: ny(10, 10), entries: { XYZ: 3 }, stopOuts: { XYZ: stopAt } })),
          'RISK.MAX_REENTRIES',
          '10:10:00',
        );
      }
    },
  },
  {
    id: 'RISK-07', // docs/conformance-cards.md#risk-07
    title: 'Consecutive losses halt trading',
    baseline: false,
    applies: limit('consecutiveLosses'),
    run: async (r) => {
      expectAllow(r.evaluate(entry(), riskContext({ consecutiveLosses: 2 })), 'two losses');
      expectDeny(r.evaluate(entry(), riskContext({ consecutiveLosses: 3 })), 'RISK.CONSECUTIVE_LOSSES', 'three losses');
      if (r.policy.monitor) {
        const m = r.policy.monitor(riskContext({ consecutiveLosses: 3 }));
        expect(m && { to: m.to, code: m.reason.code }, 'monitor at the third loss').to.deep.equal({
          to: 'HALT',
          code: 'RISK.CONSECUTIVE_LOSSES',
        });
        expect(r.policy.monitor(riskContext({ consecutiveLosses: 0 })), 'a win resets the count').to.equal(null);
      }
      if (r.caps.ownsRuntimeState === true) {
        const rt = await r.runtime();
        rt.subject.monitor(riskContext({ consecutiveLosses: 2 }));
        rt.subject.monitor(riskContext({ consecutiveLosses: 0 }));
        expectCount(rt.rec.events, 'risk.state-changed', undefined, 0, '(b) a win between the losses: no transition');
        rt.subject.monitor(riskContext({ consecutiveLosses: 3 }));
        expectSequence(rt.rec.events, [
          step('risk.state-changed', {
            from: 'RUNNING',
            to: 'HALT',
            reason: (x: unknown) => (x as { code: string }).code === 'RISK.CONSECUTIVE_LOSSES',
          }),
        ]);
        const d = rt.subject.evaluate(entry(), riskContext({ consecutiveLosses: 3 }));
        expect({ action: d.action, reasons: codes(d) }, '(a) the entry after the third loss').to.deep.equal({
          action: 'halt',
          reasons: ['RISK.HALTED'],
        });
      }
    },
  },
  {
    id: 'RISK-08', // docs/conformance-cards.md#risk-08
    title: 'The trading window runs on New York time, across DST',
    baseline: false,
    applies: limit('tradingWindow'),
    run: async (r) => {
      const at = (now: number) => r.evaluate(entry(), riskContext({ now }));
      expectDeny(at(ny(9, 29, 59, 999)), 'RISK.OUTSIDE_WINDOW', '09:29:59.999');
      expectAllow(at(ny(9, 30)), '09:30:00.000');
      expectAllow(at(ny(11, 14, 59, 999)), '11:14:59.999');
      expectDeny(at(ny(11, 15)), 'RISK.OUTSIDE_WINDOW', '11:15:00.000');
      expectDeny(at(Date.UTC(2026, 2, 6, 14, 29, 59) * 1000), 'RISK.OUTSIDE_WINDOW', '2026-03-06T14:29:59Z (09:29:59 EST)');
      expectAllow(at(Date.UTC(2026, 2, 9, 13, 30, 0) * 1000), '2026-03-09T13:30:00Z (09:30:00 EDT)');
      expectAllow(r.evaluate(exit(), riskContext({ now: ny(11, 20), positions: [long('XYZ', 100)] })), 'an exit at 11:20');
    },
  },
  {
    id: 'RISK-09', // docs/conformance-cards.md#risk-09
    title: 'Health gates: fresh data, a ready broker, the data prerequisites',
    baseline: false,
    applies: limit('dataFreshness', 'brokerHealth'),
    run: async (r) => {
      if (!r.has('dataFreshness')) return;
      const now = ny(10, 0);
      const stale = r.evaluate(entry(), riskContext({ now, quotes: { XYZ: { bid: 123400, ask: 123500, time: now - 5_001_000 } } }));
      expectDeny(stale, 'RISK.STALE_DATA', 'quote 5.001 s old');
      const why = stale.reasons.find((x) => x.code === 'RISK.STALE_DATA')!;
      expect([why.observed, why.threshold], 'observed and threshold (ms)').to.deep.equal([5_001, 5_000]);
      expectAllow(
        r.evaluate(entry(), riskContext({ now, quotes: { XYZ: { bid: 123400, ask: 123500, time: now - seconds(1) } } })),
        'fresh',
      );
      // (b) and (c) need broker and book state, which RiskContext does not carry: the gate's triggers own them.
    },
  },
  {
    id: 'RISK-10', // docs/conformance-cards.md#risk-10
    title: 'Violation actions warn, reject and halt; chains combine',
    baseline: false,
    applies: (env) => needsGate(env) ?? limit('maxShares')(env),
    run: async (r) => {
      const big = entry('XYZ', 600, { limitPrice: 50_000, stopLoss: 49_900 });
      const ctx = riskContext();
      const warn = r.gate!([{ pluginId: 'subject', policy: r.policy, action: 'warn' }]).evaluate(big, ctx);
      expect({ action: warn.action, warnings: warn.warnings.map((w) => w.code) }, 'warn').to.deep.include({ action: 'allow' });
      expect(
        warn.warnings.map((w) => w.code),
        'warn: warnings',
      ).to.include('RISK.MAX_SHARES');
      expectDeny(r.gate!([{ pluginId: 'subject', policy: r.policy, action: 'reject' }]).evaluate(big, ctx), 'RISK.MAX_SHARES', 'reject');
      const halted = r.gate!([{ pluginId: 'subject', policy: r.policy, action: 'halt' }]).evaluate(big, ctx);
      expect(halted.action, 'halt').to.equal('halt');
      const chain = r.gate!([
        { pluginId: 'w', policy: r.policy, action: 'warn' },
        { pluginId: 'kit-deny', policy: denyAll, action: 'reject' },
      ]);
      const a = chain.evaluate(big, ctx);
      expect(a.action, 'chain warn + reject').to.equal('reject');
      expect(deepEqual(a, chain.evaluate(big, ctx)), 'repeated evaluation is deep-equal').to.equal(true);
    },
  },
  {
    id: 'RISK-15', // docs/conformance-cards.md#risk-15
    title: 'A failing policy fails closed',
    baseline: true,
    applies: needsGate,
    run: async (r) => {
      const throwing: RiskPolicy = {
        id: 'kit-throws',
        evaluate: () => {
          throw new Error('kit: policy failure');
        },
      };
      const malformed: RiskPolicy = { id: 'kit-malformed', evaluate: () => ({ action: 'maybe' }) as unknown as RiskDecision };
      for (const bad of [throwing, malformed]) {
        const gate = r.gate!([
          { pluginId: 'subject', policy: r.policy, action: 'reject' },
          { pluginId: bad.id, policy: bad, action: 'reject' },
        ]);
        let d: RiskDecision | null = null;
        expect(() => {
          d = gate.evaluate(entry(), riskContext());
        }, `${bad.id}: no exception reaches the caller`).to.not.throw();
        expectDeny(d!, 'RISK.POLICY_ERROR', bad.id);
      }
    },
  },
];
