import { expect } from 'chai';
import { describeRisk } from '../../core/risk/describe-risk.js';
import { microLaunchRiskProfile } from '../../core/risk/live-arming.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';

describe('describeRisk', () => {
  it('states each limit in words with its action', () => {
    const lines = describeRisk(
      [
        { id: 'daily-loss', action: 'halt', params: { maxLossPct: 1 } },
        { manifest: { id: 'max-position' }, action: 'reject', params: { maxShares: 500, maxPositionValue: 50_000 } },
        { use: 'session-window', action: 'warn', params: { start: '09:30', end: '11:15', timeZone: 'America/New_York' } },
      ],
      { startEquity: 100_000 },
    );
    expect(lines[0]).to.equal("daily-loss: halt trading when the day's net PnL ≤ −1.00 % of start equity (−$1,000.00 on $100,000.00)");
    expect(lines[1]).to.equal('max-position: refuse the entry when it would leave more than 500 shares or $50,000.00 in one symbol');
    expect(lines[2]).to.match(/^session-window: warn outside 09:30–11:15 America\/New_York/);
  });

  it('covers every built-in and the micro-launch profile without falling back to raw params', () => {
    const parsed = microLaunchRiskProfile.map((sel) => {
      const m = builtinRiskPolicies.find((x) => x.id === sel.use)!;
      return { id: m.id, action: sel.action ?? 'reject', params: m.paramsSchema.parse(sel.params ?? {}) };
    });
    expect(parsed.map((p) => p.id).sort()).to.deep.equal(builtinRiskPolicies.map((m) => m.id).sort());
    for (const line of describeRisk(parsed)) expect(line).to.not.match(/custom policy|undefined|NaN/);
  });

  it('describes an unknown policy generically and an empty chain explicitly', () => {
    expect(describeRisk([{ id: 'my-guard', action: 'reject', params: { x: 1 } }])[0]).to.equal(
      'my-guard: refuse the entry on a breach (custom policy, params {"x":1})',
    );
    expect(describeRisk([])[0]).to.match(/no risk policies configured/);
  });
});
