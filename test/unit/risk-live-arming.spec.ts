import { expect } from 'chai';
import { riskSelection } from '../../core/config/root-schema.js';
import { checkLiveArming, isPaperAccount, microLaunchRiskProfile, type LiveArmingInput } from '../../core/risk/live-arming.js';
import { builtinRiskPolicies } from '../../plugins/risk-policies/index.js';

const armed: LiveArmingInput = { mode: 'live', configArmed: true, armFlag: true, configuredAccount: 'U1234567' };
const code = (i: LiveArmingInput) => {
  const r = checkLiveArming(i);
  return r.ok ? 'ok' : r.code;
};

describe('live arming', () => {
  it('arms live only with config armed AND the flag or the env', () => {
    expect(code(armed)).to.equal('ok');
    expect(code({ ...armed, armFlag: false, armEnv: '1' })).to.equal('ok');
    expect(code({ ...armed, armFlag: false, armEnv: true })).to.equal('ok');
    expect(code({ ...armed, armFlag: false })).to.equal('CONFIG.LIVE_NOT_ARMED');
    expect(code({ ...armed, armFlag: false, armEnv: 'yes' })).to.equal('CONFIG.LIVE_NOT_ARMED');
    expect(code({ ...armed, configArmed: false })).to.equal('CONFIG.LIVE_NOT_ARMED');
  });

  it('refuses live without an account, with a paper account, or on a paper port', () => {
    expect(code({ ...armed, configuredAccount: null })).to.equal('CONFIG.ACCOUNT_MISSING');
    expect(code({ ...armed, configuredAccount: 'DU1234567' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...armed, port: 7497 })).to.equal('CONFIG.PORT_MISMATCH');
    expect(code({ ...armed, port: 7496 })).to.equal('ok');
  });

  it('checks the connected account once known', () => {
    expect(code({ ...armed, connectedAccount: 'U1234567' })).to.equal('ok');
    expect(code({ ...armed, connectedAccount: 'U7654321' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...armed, connectedAccount: 'DU1234567' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
  });

  it('paper refuses a live account or a live port; simulated modes always pass', () => {
    const paper: LiveArmingInput = { mode: 'paper', configArmed: false, armFlag: false, configuredAccount: 'DU1' };
    expect(code(paper)).to.equal('ok');
    expect(code({ ...paper, connectedAccount: 'DU1' })).to.equal('ok');
    expect(code({ ...paper, connectedAccount: 'U1' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...paper, port: 4001 })).to.equal('CONFIG.PORT_MISMATCH');
    expect(code({ ...paper, connectedAccount: 'DU2' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ mode: 'replay', configArmed: false, armFlag: false, configuredAccount: null })).to.equal('ok');
    expect(isPaperAccount('DU123')).to.equal(true);
    expect(isPaperAccount('U123')).to.equal(false);
  });

  it('any mode whose broker or feed talks to a venue follows the paper/live rules', () => {
    const tws = [{ path: 'broker', adapter: 'tws', port: 7555 }];
    const unarmed = { configArmed: false, armFlag: false, configuredAccount: null };
    expect(code({ mode: 'sim-live', ...unarmed, venues: tws })).to.equal('CONFIG.LIVE_NOT_ARMED');
    expect(code({ mode: 'replay', ...unarmed, venues: [{ path: 'marketData', adapter: 'tws', port: 7555 }] })).to.equal(
      'CONFIG.LIVE_NOT_ARMED',
    );
    expect(code({ mode: 'sim-live', ...unarmed, venues: [] })).to.equal('ok');
    expect(code({ mode: 'paper', ...unarmed, venues: tws })).to.equal('CONFIG.ACCOUNT_MISSING');
    expect(code({ mode: 'paper', ...unarmed, configuredAccount: 'UFAKE1', venues: tws })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...armed, venues: [{ path: 'marketData', adapter: 'tws', port: 4002 }] })).to.equal('CONFIG.PORT_MISMATCH');
  });

  it('once connected, an empty account or one that is not the configured one is refused', () => {
    const tws = [{ path: 'broker', adapter: 'tws', port: 7555 }];
    const paper: LiveArmingInput = { mode: 'paper', configArmed: false, armFlag: false, configuredAccount: 'DFAKE1', venues: tws };
    expect(code({ ...paper, connectedAccount: 'DFAKE1' })).to.equal('ok');
    expect(code({ ...paper, connectedAccount: '' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...paper, connectedAccount: null })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...paper, connectedAccount: 'DFAKE2' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    expect(code({ ...armed, venues: tws, connectedAccount: '' })).to.equal('CONFIG.ACCOUNT_MISMATCH');
    // Refusals never print the account id: it is redacted everywhere.
    const r = checkLiveArming({ ...paper, connectedAccount: 'DFAKE2' });
    expect(r.ok ? '' : r.message).to.not.contain('DFAKE');
  });

  it('the micro-launch profile is valid config for the built-in policies', () => {
    const byId = new Map(builtinRiskPolicies.map((m) => [m.id, m]));
    for (const sel of microLaunchRiskProfile) {
      const parsed = riskSelection.parse(sel);
      const m = byId.get(parsed.use as string);
      expect(m, String(parsed.use)).to.not.equal(undefined);
      expect(m!.paramsSchema.safeParse(parsed.params).success, String(parsed.use)).to.equal(true);
    }
    expect(microLaunchRiskProfile.some((s) => s.use === 'daily-loss' && s.action === 'halt')).to.equal(true);
  });
});

describe('risk floor and redaction (pure parts)', () => {
  it('the micro-launch profile meets the floor; an empty chain lacks all five', async () => {
    const { assessRiskFloor } = await import('../../core/config/risk-floor.js');
    const byId = new Map(builtinRiskPolicies.map((m) => [m.id, m]));
    const chain = microLaunchRiskProfile.map((sel, i) => {
      const parsed = riskSelection.parse(sel);
      return {
        id: parsed.use as string,
        path: `risk[${i}]`,
        action: parsed.action,
        params: byId.get(parsed.use as string)!.paramsSchema.parse(parsed.params),
      };
    });
    expect(assessRiskFloor(chain, 100_000)).to.deep.equal({ added: [], below: [] });
    expect(assessRiskFloor([], 100_000).added.map((a) => a.use)).to.deep.equal([
      'daily-loss',
      'max-position',
      'risk-per-trade',
      'max-trades-day',
      'consecutive-losses',
    ]);
    const warnOnly = assessRiskFloor([{ id: 'daily-loss', path: 'risk[0]', action: 'warn', params: { maxLossPct: 0.5 } }], 100_000);
    expect(warnOnly.below).to.deep.equal([
      { policy: 'daily-loss', path: 'risk[0]', detail: "action 'warn' never blocks (the floor needs 'halt')" },
    ]);
  });

  it('scrubDeep redacts secrets in nested strings and keys and leaves clean values untouched', async () => {
    const { scrubDeep } = await import('../../core/config/redact.js');
    const clean = { a: 1, b: ['x', { c: 'y' }] };
    expect(scrubDeep(clean, ['DFAKE9'])).to.equal(clean);
    expect(scrubDeep({ text: 'acct DFAKE9 refused', list: [{ DFAKE9: 'DFAKE9' }], n: 3 }, ['DFAKE9'])).to.deep.equal({
      text: 'acct [redacted] refused',
      list: [{ '[redacted]': '[redacted]' }],
      n: 3,
    });
  });
});
