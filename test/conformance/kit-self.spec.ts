import { expect } from 'chai';
import {
  buildBrokerSuite,
  describeBrokerAdapterConformance,
  runSuiteProgrammatically,
  validateSuite,
  type BrokerSuiteOptions,
} from '../../plugins/conformance/index.js';
import { cardTitle, preflight, type CardDef } from '../../plugins/conformance/card.js';
import { ToyBroker, type ToyFault } from './support/toy-broker.js';

// The kit's own spec: a small correct broker passes; the same broker with one injected fault fails the cards that
// observe that fault. This is what makes every green conformance run mean something.

const REPORT_DIR = 'var/conformance-report';

function toyOptions(faults: ToyFault[] = []): BrokerSuiteOptions {
  return {
    create: (ctx) => {
      const broker = new ToyBroker(ctx.clock, ctx.fixtures.cash, new Set(faults));
      return { subject: broker, driver: broker.driver() };
    },
    capabilities: {
      supportsMarketOrders: true,
      supportsStopOrders: true,
      supportsBrackets: true,
      supportsModify: true,
      supportsOrderRef: true,
      isLive: false,
    },
    driverFeatures: ['fill', 'partialFill', 'reject'],
    reportDir: REPORT_DIR,
  };
}

let registered: Mocha.Suite | undefined;
describe('conformance kit — registration', function () {
  // Kept so the spec below can see which tests the kit registered.
  registered = this;
  describeBrokerAdapterConformance('toy-broker', toyOptions());
});

describe('conformance kit — cards that do not apply', function () {
  it('are not mocha tests: only applicable cards are registered; the report lists the rest with their reasons', async function () {
    const suite = buildBrokerSuite('toy-broker', { ...toyOptions(), reportDir: false });
    const applicable = suite.cards.filter((c) => preflight(c as CardDef<unknown>, suite.env, {}) === null);
    expect(applicable.length).to.be.within(1, suite.cards.length - 1);
    expect(registered!.suites[0]!.tests.map((t) => t.title)).to.deep.equal(applicable.map((c) => cardTitle(c as CardDef<unknown>)));

    const report = await runSuiteProgrammatically(suite);
    const notApplicable = suite.cards.length - applicable.length;
    expect(report.notApplicable).to.have.length(notApplicable);
    expect(report.counts['not-applicable']).to.equal(notApplicable);
    expect(report.notApplicable.find((c) => c.card === 'BRK-81')).to.deep.include({
      reason: 'requires driver feature restart; not provided',
    });
    expect(report.summary).to.include(`${notApplicable} not applicable`);
    expect(report.partial).to.equal(false);
  });
});

describe('conformance kit — it fails broken adapters', function () {
  async function failedCards(faults: ToyFault[], only: string[]): Promise<string[]> {
    const report = await runSuiteProgrammatically(
      buildBrokerSuite(`toy-${faults.join('-')}`, { ...toyOptions(faults), reportDir: false }),
      only,
    );
    return report.cards
      .filter((c) => c.status === 'failed')
      .map((c) => `${c.id}${c.variant ? ` (${c.variant})` : ''}: ${c.violations[0] ?? c.reason ?? ''}`);
  }

  it('a fill without an exec id fails on B4', async function () {
    const failed = await failedCards(['noExecId'], ['BRK-10', 'BRK-21', 'BRK-20']);
    expect(failed.map((f) => f.split(':')[0])).to.deep.equal(['BRK-10', 'BRK-21']);
    expect(failed.join('\n')).to.match(/B4|execId/);
  });

  it('two terminal states fail on B1', async function () {
    const failed = await failedCards(['doubleTerminal'], ['BRK-30', 'BRK-20']);
    expect(failed).to.have.length(1);
    expect(failed[0]).to.match(/^BRK-30: .*(B1|×1)/s);
  });

  it('routing while disconnected fails BRK-06 (and B7)', async function () {
    const failed = await failedCards(['routeWhileDisconnected'], ['BRK-06', 'BRK-30']);
    expect(failed).to.have.length(1);
    expect(failed[0]).to.match(/^BRK-06/);
  });

  it('a fill before the acknowledgement fails on B2', async function () {
    const failed = await failedCards(['fillBeforeAccept'], ['BRK-21']);
    expect(failed).to.have.length(1);
    expect(failed[0]).to.match(/B2|order\.accepted/);
  });

  it('refuses a waiver on a baseline card, an unknown card, or a missing minimal driver feature', function () {
    expect(() => validateSuite(buildBrokerSuite('x', { ...toyOptions(), waivers: { 'BRK-30': 'no' } }))).to.throw(/baseline/);
    expect(() => validateSuite(buildBrokerSuite('x', { ...toyOptions(), waivers: { 'BRK-99': 'stale' } }))).to.throw(/unknown card/);
    expect(() => validateSuite(buildBrokerSuite('x', { ...toyOptions(), waivers: { 'BRK-73': ' ' } }))).to.throw(/no reason/);
    expect(() => buildBrokerSuite('x', { ...toyOptions(), driverFeatures: ['fill'] })).to.throw(/reject/);
  });

  it('a filtered run is partial and makes no claim', async function () {
    const report = await runSuiteProgrammatically(buildBrokerSuite('toy-partial', { ...toyOptions(), reportDir: false }), ['BRK-20']);
    expect(report.partial).to.equal(true);
    expect(report.summary).to.match(/^partial run: no conformance claim/);
  });
});
