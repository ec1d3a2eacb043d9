import { expect } from 'chai';
import { checkStartGates, type StartGateInput } from '../../core/risk/start-gates.js';
import type { BrokerHealth } from '../../ports/broker-adapter.js';

const S = 1_000_000;
const health: BrokerHealth = { state: 'Connected', lastHeard: 100 * S, canTrade: true, readOnly: false, account: 'DU123', detail: 'ok' };
const good: StartGateInput = {
  intendedMode: 'paper',
  mode: 'paper',
  health,
  now: 100 * S,
  lastData: { XYZ: 99 * S },
  maxDataAgeMs: 5000,
  window: { start: 50 * S, end: 200 * S },
  configuredAccount: 'DU123',
};
const failing = (i: StartGateInput) =>
  checkStartGates(i)
    .results.filter((r) => !r.pass)
    .map((r) => r.gate);

describe('start gates', () => {
  it('pass when everything is healthy, reporting every gate by name', () => {
    const r = checkStartGates(good);
    expect(r.ok).to.equal(true);
    expect(r.results.map((x) => x.gate)).to.deep.equal(['mode', 'connection', 'data-fresh', 'order-placement', 'time-window', 'account']);
  });

  it('name each failing gate', () => {
    expect(failing({ ...good, mode: 'live' })).to.deep.equal(['mode']);
    expect(failing({ ...good, health: { ...health, canTrade: false, state: 'Degraded' } })).to.deep.equal(['connection']);
    expect(failing({ ...good, lastData: { XYZ: 94 * S } })).to.deep.equal(['data-fresh']);
    expect(failing({ ...good, lastData: { XYZ: null } })).to.deep.equal(['data-fresh']);
    expect(failing({ ...good, lastData: {} })).to.deep.equal(['data-fresh']);
    expect(failing({ ...good, health: { ...health, readOnly: true } })).to.deep.equal(['order-placement']);
    expect(failing({ ...good, now: 200 * S, lastData: { XYZ: 200 * S } })).to.deep.equal(['time-window']);
    expect(failing({ ...good, configuredAccount: 'DU999' })).to.deep.equal(['account']);
  });

  it('report all failures at once when nothing is ready', () => {
    const r = checkStartGates({ ...good, mode: 'live', health: null, lastData: { XYZ: null }, now: 10 * S });
    expect(r.ok).to.equal(false);
    expect(r.results.filter((x) => !x.pass)).to.have.length(6);
  });

  it('simulated modes need no configured account', () => {
    const sim = {
      ...good,
      intendedMode: 'replay' as const,
      mode: 'replay' as const,
      configuredAccount: null,
      health: { ...health, account: null },
    };
    expect(checkStartGates(sim).ok).to.equal(true);
    expect(failing({ ...sim, mode: 'paper', intendedMode: 'paper' })).to.deep.equal(['account']);
  });
});
