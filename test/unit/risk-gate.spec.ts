import { expect } from 'chai';
import type { RiskCode } from '../../core/domain/error-codes.js';
import { RiskGate, type RiskChainEntry, type RiskStateChange } from '../../core/risk/risk-gate.js';
import { staticRiskContext } from '../../core/risk/static-risk-context.js';
import { ALLOW, type OrderIntent, type RiskDecision, type RiskPolicy, type RiskReason } from '../../ports/risk-policy.js';

const reason = (code: RiskCode): RiskReason => ({ code, limit: 'x.y', observed: 2, threshold: 1 });
const deny = (code: RiskCode): RiskDecision => ({ action: 'reject', reasons: [reason(code)], warnings: [] });
const policy = (id: string, evaluate: RiskPolicy['evaluate'], monitor?: RiskPolicy['monitor']): RiskPolicy =>
  monitor ? { id, evaluate, monitor } : { id, evaluate };

const entry: OrderIntent = {
  intentId: 'i1',
  strategyId: 's',
  symbol: 'GOOG',
  kind: 'entry',
  side: 'buy',
  type: 'limit',
  quantity: 10,
  limitPrice: 5_000_000,
  stopLoss: 4_990_000,
  reason: 't',
};
const exit: OrderIntent = { ...entry, intentId: 'i2', kind: 'exit', side: 'sell', stopLoss: undefined };
const ctx = staticRiskContext();

function gateWith(chain: RiskChainEntry[]) {
  const changes: RiskStateChange[] = [];
  const refused: (readonly RiskReason[])[] = [];
  const gate = new RiskGate(chain, { stateChanged: (e) => changes.push(e), clearRefused: (e) => refused.push(e.reasons) });
  return { gate, changes, refused };
}

describe('RiskGate', () => {
  it('allows when every policy allows and takes the smallest maxQty', () => {
    const { gate } = gateWith([
      { pluginId: 'a', action: 'reject', policy: policy('a', () => ({ ...ALLOW, maxQty: 7 })) },
      { pluginId: 'b', action: 'reject', policy: policy('b', () => ({ ...ALLOW, maxQty: 4 })) },
    ]);
    const d = gate.evaluate(entry, ctx);
    expect(d.action).to.equal('allow');
    expect(d.maxQty).to.equal(4);
  });

  it('runs every policy and reports every reason of a reject', () => {
    const { gate } = gateWith([
      { pluginId: 'a', action: 'reject', policy: policy('a', () => deny('RISK.MAX_SHARES')) },
      { pluginId: 'b', action: 'reject', policy: policy('b', () => deny('RISK.COOLDOWN')) },
    ]);
    const d = gate.evaluate(entry, ctx);
    expect(d.action).to.equal('reject');
    expect(d.reasons.map((r) => r.code)).to.deep.equal(['RISK.MAX_SHARES', 'RISK.COOLDOWN']);
    expect(gate.state).to.equal('RUNNING');
  });

  it("turns a 'warn' breach into a warning and still allows", () => {
    const { gate } = gateWith([{ pluginId: 'a', action: 'warn', policy: policy('a', () => deny('RISK.MAX_SHARES')) }]);
    const d = gate.evaluate(entry, ctx);
    expect(d.action).to.equal('allow');
    expect(d.warnings.map((r) => r.code)).to.deep.equal(['RISK.MAX_SHARES']);
  });

  it("denies and escalates to HALT on a 'halt' breach, then denies everything", () => {
    const { gate, changes } = gateWith([
      { pluginId: 'a', action: 'halt', policy: policy('a', (i) => (i.kind === 'entry' ? deny('RISK.DAILY_LOSS') : ALLOW)) },
    ]);
    expect(gate.evaluate(entry, ctx).action).to.equal('halt');
    expect(gate.state).to.equal('HALT');
    expect(changes).to.have.length(1);
    expect(changes[0]).to.include({ from: 'RUNNING', to: 'HALT', by: 'auto' });
    const d = gate.evaluate(exit, ctx);
    expect(d.action).to.equal('halt');
    expect(d.reasons[0]!.code).to.equal('RISK.HALTED');
  });

  it('turns a throwing policy into RISK.POLICY_ERROR and HALT without throwing', () => {
    const { gate } = gateWith([
      {
        pluginId: 'boom',
        action: 'warn',
        policy: policy('boom', () => {
          throw new Error('bad');
        }),
      },
    ]);
    const d = gate.evaluate(entry, ctx);
    expect(d.action).to.equal('halt');
    expect(d.reasons[0]!.code).to.equal('RISK.POLICY_ERROR');
    expect(gate.state).to.equal('HALT');
  });

  it("with onPolicyError 'reject', a throwing policy denies the intent and trading goes on (RISK-15)", () => {
    const gate = new RiskGate(
      [
        { pluginId: 'ok', action: 'reject', policy: policy('ok', () => ALLOW) },
        {
          pluginId: 'boom',
          action: 'reject',
          policy: policy('boom', () => {
            throw new Error('bad');
          }),
        },
      ],
      { stateChanged: () => {} },
      { onPolicyError: 'reject' },
    );
    const d = gate.evaluate(entry, ctx);
    expect(d.action).to.equal('reject');
    expect(d.reasons[0]).to.include({ code: 'RISK.POLICY_ERROR', limit: 'boom.evaluate' });
    expect(gate.state).to.equal('RUNNING');
  });

  it('treats a malformed decision as a policy error', () => {
    const { gate } = gateWith([{ pluginId: 'm', action: 'reject', policy: policy('m', () => ({}) as RiskDecision) }]);
    expect(gate.evaluate(entry, ctx).reasons[0]!.code).to.equal('RISK.POLICY_ERROR');
    expect(gate.state).to.equal('HALT');
  });

  it('SAFE_MODE denies entries but lets reducing exits through the chain (RISK-12)', () => {
    const { gate } = gateWith([]);
    const held = staticRiskContext({ positions: [{ symbol: 'GOOG', quantity: 100, averagePrice: 5_000_000, realizedPnl: 0 }] });
    expect(gate.escalate('SAFE_MODE', reason('RISK.STALE_DATA'), 'auto')).to.equal(true);
    expect(gate.evaluate(entry, held).reasons[0]!.code).to.equal('RISK.SAFE_MODE');
    expect(gate.evaluate({ ...exit, quantity: 100 }, held).action).to.equal('allow');
    expect(gate.evaluate({ ...exit, quantity: 150 }, held).reasons[0]!.code).to.equal('RISK.SAFE_MODE');
    expect(gate.evaluate(exit, ctx).action, 'nothing to reduce').to.equal('reject');
  });

  it('reports a failing policy through policyFailed', () => {
    const failed: string[] = [];
    const gate = new RiskGate(
      [
        {
          pluginId: 'boom',
          action: 'reject',
          policy: policy('boom', () => {
            throw new Error('x');
          }),
        },
      ],
      {
        stateChanged: () => {},
        policyFailed: (e) => failed.push(e.pluginId),
      },
    );
    gate.evaluate(entry, ctx);
    expect(failed).to.deep.equal(['boom']);
  });

  it('escalate never lowers the state', () => {
    const { gate, changes } = gateWith([]);
    expect(gate.escalate('HALT', reason('RISK.OUTAGE'), 'auto')).to.equal(true);
    expect(gate.escalate('SAFE_MODE', reason('RISK.OUTAGE'), 'auto')).to.equal(false);
    expect(gate.escalate('RUNNING', reason('RISK.OUTAGE'), 'auto')).to.equal(false);
    expect(gate.state).to.equal('HALT');
    expect(changes).to.have.length(1);
  });

  it('monitor escalates on a policy trigger; clear is refused while it holds and succeeds after', () => {
    let losing = true;
    const trigger = { to: 'HALT' as const, reason: reason('RISK.DAILY_LOSS') };
    const { gate, changes, refused } = gateWith([
      {
        pluginId: 'dl',
        action: 'halt',
        policy: policy(
          'dl',
          () => ALLOW,
          () => (losing ? trigger : null),
        ),
      },
    ]);
    gate.monitor(ctx);
    expect(gate.state).to.equal('HALT');
    const r = gate.clear('op', 'try', ctx);
    expect(r.ok).to.equal(false);
    expect(refused).to.have.length(1);
    expect(gate.state).to.equal('HALT');
    losing = false;
    expect(gate.clear('op', 'ok now', ctx)).to.deep.equal({ ok: true });
    expect(gate.state).to.equal('RUNNING');
    expect(changes.at(-1)).to.include({ from: 'HALT', to: 'RUNNING', by: 'op' });
  });

  it('a hold condition blocks clear until it is released', () => {
    const { gate } = gateWith([]);
    gate.halt('op', 'manual');
    const dispose = gate.addHoldCondition(() => [reason('RISK.STALE_DATA')]);
    expect(gate.clear('op', '', ctx).ok).to.equal(false);
    dispose();
    expect(gate.clear('op', '', ctx).ok).to.equal(true);
  });

  it('a throwing hook does not change the decision', () => {
    const gate = new RiskGate([{ pluginId: 'a', action: 'halt', policy: policy('a', () => deny('RISK.DAILY_LOSS')) }], {
      stateChanged: () => {
        throw new Error('journal down');
      },
      denied: () => {
        throw new Error('journal down');
      },
    });
    expect(gate.evaluate(entry, ctx).action).to.equal('halt');
    expect(gate.state).to.equal('HALT');
  });
});

describe('RiskGate intent sanity', () => {
  it('rejects a non-positive or fractional quantity before any policy runs', () => {
    let calls = 0;
    const gate = new RiskGate(
      [
        {
          pluginId: 'a',
          action: 'reject',
          policy: {
            id: 'a',
            evaluate: () => {
              calls++;
              return ALLOW;
            },
          },
        },
      ],
      { stateChanged: () => {} },
    );
    for (const quantity of [0, -1, 1.5, Number.NaN]) {
      expect(gate.evaluate({ ...entry, quantity }, ctx).reasons[0]!.code).to.equal('ORDER.INVALID_QUANTITY');
    }
    expect(calls).to.equal(0);
    expect(gate.state).to.equal('RUNNING');
  });
});
