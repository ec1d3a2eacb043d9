import { expect } from 'chai';
import { OperatorControls, SymbolPauses, type OperatorDeps } from '../../core/operator/operator-controls.js';
import type { RiskContext, TradingState } from '../../ports/risk-policy.js';

/** Operator controls are built from named collaborators (docs/decisions/0008-explicit-composition-root.md). */
function harness() {
  const rows: { type: string; data: unknown }[] = [];
  const flattened: string[] = [];
  const gate = {
    state: 'RUNNING' as TradingState,
    reason: null,
    halt: (): void => {
      gate.state = 'HALT';
    },
    clear: () => ({ ok: false as const, reasons: [{ code: 'RISK.STALE_DATA' as const, limit: 'x', observed: 1, threshold: 0 }] }),
  };
  const pauses = new SymbolPauses();
  const deps: OperatorDeps = {
    post: (task) => task(),
    journal: {
      write: (_kind, type, data) => {
        rows.push({ type, data });
      },
    },
    gate,
    pauses,
    flattenAll: (reason) => {
      flattened.push(reason);
    },
    riskContext: () => ({}) as RiskContext,
    positions: () => [],
  };
  return { controls: new OperatorControls(deps), rows, flattened, pauses, gate };
}

describe('operator controls', () => {
  it('pauses and resumes through the pause set, journaling each command', async () => {
    const h = harness();
    await h.controls.apply({ command: 'pause-symbol', operatorId: 'op', symbol: 'XYZ' });
    expect([...h.pauses.view]).to.deep.equal(['XYZ']);
    await h.controls.apply({ command: 'resume-symbol', operatorId: 'op', symbol: 'XYZ' });
    expect([...h.pauses.view]).to.deep.equal([]);
    expect(h.rows.map((r) => r.type)).to.deep.equal(['operator.pause-symbol', 'operator.resume-symbol']);
  });

  it('a flatten pauses all entries and flattens once', async () => {
    const h = harness();
    const r = await h.controls.apply({ command: 'flatten', operatorId: 'op', note: 'n' });
    expect(r.ok).to.equal(true);
    expect(h.pauses.view.has('*')).to.equal(true);
    expect(h.flattened).to.deep.equal(['operator op: n']);
  });

  it('a refused clear answers with the gate reasons', async () => {
    const h = harness();
    await h.controls.apply({ command: 'halt', operatorId: 'op' });
    const r = await h.controls.apply({ command: 'clear', operatorId: 'op', note: 'why' });
    expect(r).to.deep.include({ ok: false, state: 'HALT' });
  });
});
