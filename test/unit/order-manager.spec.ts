import { expect } from 'chai';
import fc from 'fast-check';
import type { RiskGateLike } from '../../core/engine/order-manager.js';
import type { OrderIntent, RiskDecision } from '../../ports/risk-policy.js';
import { orderManagerHarness } from '../support/order-manager-harness.js';

function setup(decide: (i: OrderIntent) => RiskDecision) {
  const evaluated: string[] = [];
  const gate: RiskGateLike = {
    state: 'RUNNING',
    evaluate: (i) => {
      evaluated.push(i.intentId);
      return decide(i);
    },
    monitor: () => {},
  };
  const { orders, broker, journal } = orderManagerHarness(gate);
  return { orders, broker, journal, evaluated };
}

const allow: RiskDecision = { action: 'allow', reasons: [], warnings: [] };
const deny: RiskDecision = {
  action: 'reject',
  reasons: [{ code: 'RISK.MAX_SHARES', limit: 't', observed: 2, threshold: 1 }],
  warnings: [],
};

describe('OrderManager', () => {
  it('sends an entry with stop and target as one OCA bracket after an approval record', () => {
    const { orders, broker, journal } = setup(() => allow);
    const r = orders.submitIntent('strat', {
      symbol: 'X',
      kind: 'entry',
      side: 'buy',
      type: 'limit',
      quantity: 10,
      limitPrice: 100_000,
      stopLoss: 99_000,
      takeProfit: 102_000,
      reason: 't',
    });
    expect(r.status).to.equal('sent');
    expect(broker.brackets).to.have.length(1);
    const b = broker.brackets[0]!;
    expect(b.stopLoss).to.include({ side: 'sell', type: 'stop', triggerPrice: 99_000, parentCoid: b.parent.coid });
    expect(b.takeProfit).to.include({ side: 'sell', type: 'limit', limitPrice: 102_000 });
    expect(b.stopLoss.ocaGroup).to.equal(b.takeProfit.ocaGroup);
    expect(b.parent.orderRef).to.match(/^hv:tag:/);
    const types = journal.all().map((e) => e.type);
    expect(types.indexOf('risk.approved')).to.be.lessThan(types.indexOf('order.requested'));
  });

  it('sends nothing for a denied intent and journals the denial with its reasons', () => {
    const { orders, broker, journal } = setup(() => deny);
    const r = orders.submitIntent('strat', { symbol: 'X', kind: 'entry', side: 'buy', type: 'market', quantity: 10, reason: 't' });
    expect(r.status).to.equal('denied');
    expect(broker.submitted).to.have.length(0);
    const denial = journal.all().find((e) => e.type === 'risk.denied');
    expect(denial?.data.reasons).to.deep.equal(deny.reasons);
  });

  it('shrinks an order to the policy maxQty', () => {
    const { orders, broker } = setup(() => ({ ...allow, maxQty: 3 }));
    orders.submitIntent('strat', { symbol: 'X', kind: 'entry', side: 'buy', type: 'market', quantity: 10, reason: 't' });
    expect(broker.submitted[0]!.quantity).to.equal(3);
  });

  it('property: every order that reaches the broker has an earlier approval record for its intent', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            allowIt: fc.boolean(),
            kind: fc.constantFrom('entry' as const, 'exit' as const),
            qty: fc.integer({ min: 1, max: 1000 }),
            bracket: fc.boolean(),
          }),
          { maxLength: 40 },
        ),
        (steps) => {
          const verdicts = new Map<string, boolean>();
          let i = 0;
          const { orders, broker, journal } = setup((intent) => (verdicts.get(intent.intentId) ? allow : deny));
          for (const s of steps) {
            const intentId = `strat-i${++i}`;
            verdicts.set(intentId, s.allowIt);
            orders.submitIntent('strat', {
              intentId,
              symbol: 'X',
              kind: s.kind,
              side: 'buy',
              type: 'limit',
              quantity: s.qty,
              limitPrice: 10_000,
              ...(s.bracket ? { stopLoss: 9_000, takeProfit: 11_000 } : {}),
              reason: 'p',
            });
          }
          const approved = new Set(
            journal
              .all()
              .filter((e) => e.type === 'risk.approved')
              .map((e) => (e.data.intent as OrderIntent).intentId),
          );
          for (const o of broker.submitted) {
            const intentId = o.coid.slice(0, o.coid.lastIndexOf('.'));
            expect(approved.has(intentId), `order ${o.coid} without approval`).to.equal(true);
            expect(verdicts.get(intentId)).to.equal(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
