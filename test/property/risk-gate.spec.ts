import { expect } from 'chai';
import fc from 'fast-check';
import { RiskGate, type RiskChainEntry, type RiskStateChange } from '../../core/risk/risk-gate.js';
import { staticRiskContext, type RiskSnapshot } from '../../core/risk/static-risk-context.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';
import type { PluginContext } from '../../plugins/sdk/contexts.js';
import type { BreachAction, OrderIntent, RiskPolicy, TradingState } from '../../ports/risk-policy.js';

const RANK: Record<TradingState, number> = { RUNNING: 0, SAFE_MODE: 1, HALT: 2 };
const DAY0 = Date.parse('2026-03-10T13:00:00Z') * 1000; // 09:00 New York
const PARAMS: Record<string, unknown> = {
  'max-position': { maxShares: 800, maxPositionValue: 60_000 },
  'max-order-size': { maxQuantity: 1000, maxNotional: 80_000 },
};

/** Throws on some intents, deterministically, so the fail-closed path is exercised too. */
const flaky: RiskPolicy = {
  id: 'flaky',
  evaluate: (i) => {
    if (i.quantity % 211 === 0) throw new Error('flaky');
    return { action: 'allow', reasons: [], warnings: [] };
  },
};

function chain(actions: readonly BreachAction[], withFlaky: boolean): RiskChainEntry[] {
  const list = builtinRiskPolicies.map((m, k) => ({
    pluginId: m.id,
    action: actions[k % actions.length]!,
    policy: m.create({ pluginId: m.id, params: m.paramsSchema.parse(PARAMS[m.id] ?? {}) } as PluginContext<unknown>),
  }));
  if (withFlaky) list.push({ pluginId: 'flaky', action: 'reject', policy: flaky });
  return list;
}

const symbol = fc.constantFrom('XYZ', 'ABC', 'DEF');
const price = fc.integer({ min: 1, max: 2_000_000 });
const intentArb: fc.Arbitrary<OrderIntent> = fc.record(
  {
    intentId: fc.string({ maxLength: 6 }),
    strategyId: fc.constant('s'),
    symbol,
    kind: fc.constantFrom('entry', 'exit'),
    side: fc.constantFrom('buy', 'sell'),
    type: fc.constantFrom('market', 'limit', 'stop', 'stop-limit'),
    quantity: fc.oneof(fc.integer({ min: 1, max: 3000 }), fc.constantFrom(0, -5, 211)),
    limitPrice: fc.option(price, { nil: undefined }),
    triggerPrice: fc.option(price, { nil: undefined }),
    stopLoss: fc.option(price, { nil: undefined }),
    takeProfit: fc.option(price, { nil: undefined }),
    reason: fc.constant('p'),
  },
  { requiredKeys: ['intentId', 'strategyId', 'symbol', 'kind', 'side', 'type', 'quantity', 'reason'] },
);

const snapshotArb: fc.Arbitrary<Partial<RiskSnapshot>> = fc.record({
  now: fc.integer({ min: DAY0, max: DAY0 + 4 * 3600e6 }),
  equity: fc.integer({ min: 0, max: 2_000_000_000 }),
  startEquity: fc.integer({ min: 1, max: 2_000_000_000 }),
  dailyPnl: fc.integer({ min: -50_000_000, max: 50_000_000 }),
  positions: fc.array(
    fc.record({
      symbol,
      quantity: fc.integer({ min: -2000, max: 2000 }),
      averagePrice: price,
      realizedPnl: fc.integer({ min: -1e6, max: 1e6 }),
    }),
    { maxLength: 3 },
  ),
  openOrderCount: fc.nat(5),
  ordersToday: fc.nat(30),
  tradesToday: fc.nat(8),
  consecutiveLosses: fc.nat(4),
  entries: fc.dictionary(symbol, fc.nat(4)),
  stopOuts: fc.dictionary(symbol, fc.integer({ min: DAY0 - 600e6, max: DAY0 + 4 * 3600e6 })),
  quotes: fc.dictionary(symbol, fc.record({ bid: price, ask: price, time: fc.integer({ min: DAY0 - 60e6, max: DAY0 + 4 * 3600e6 }) })),
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

describe('property: the risk gate', () => {
  it('never throws; HALT allows nothing; SAFE_MODE allows no entry; deterministic; inputs untouched; auto only escalates', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(
        fc.constantFrom<TradingState>('RUNNING', 'SAFE_MODE', 'HALT'),
        fc.array(fc.constantFrom<BreachAction>('warn', 'reject', 'halt'), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        snapshotArb,
        fc.array(intentArb, { minLength: 10, maxLength: 14 }),
        (start, actions, withFlaky, snap, intents) => {
          const changes: RiskStateChange[] = [];
          const hooks = { stateChanged: (e: RiskStateChange) => changes.push(e) };
          const a = new RiskGate(chain(actions, withFlaky), hooks);
          const b = new RiskGate(chain(actions, withFlaky), { stateChanged: () => {} });
          const reason = { code: 'RISK.HALTED', limit: 'test', observed: 0, threshold: 0 } as const;
          a.escalate(start, reason, 'auto');
          b.escalate(start, reason, 'auto');
          const ctx = staticRiskContext(deepFreeze(snap));
          for (const raw of intents) {
            const intent = deepFreeze(raw);
            const before = structuredClone(intent);
            const stateBefore = a.state;
            const d = a.evaluate(intent, ctx);
            evaluated++;
            expect(b.evaluate(intent, ctx)).to.deep.equal(d);
            expect(intent).to.deep.equal(before);
            if (stateBefore === 'HALT') expect(d.action).to.not.equal('allow');
            if (stateBefore !== 'RUNNING' && intent.kind === 'entry') expect(d.action).to.not.equal('allow');
            if (d.action !== 'allow') expect(d.reasons.length).to.be.greaterThan(0);
            expect(RANK[a.state]).to.be.at.least(RANK[stateBefore]);
          }
          for (const c of changes) if (c.by === 'auto') expect(RANK[c.to]).to.be.greaterThan(RANK[c.from]);
        },
      ),
      { numRuns: 1000, seed: 20260310 },
    );
    expect(evaluated).to.be.at.least(10_000);
  });

  it('monitor only escalates, whatever the context', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TradingState>('RUNNING', 'SAFE_MODE', 'HALT'),
        fc.array(snapshotArb, { minLength: 1, maxLength: 5 }),
        (start, snaps) => {
          const changes: RiskStateChange[] = [];
          const gate = new RiskGate(chain(['reject', 'halt'], false), { stateChanged: (e) => changes.push(e) });
          gate.escalate(start, { code: 'RISK.HALTED', limit: 't', observed: 0, threshold: 0 }, 'auto');
          for (const s of snaps) gate.monitor(staticRiskContext(s));
          for (const c of changes) expect(RANK[c.to]).to.be.greaterThan(RANK[c.from]);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
