import { expect } from 'chai';
import { allowedNames, checkRequest, declareColumns, knownAtOf } from '../../ports/feature-spec.js';
import { KIT_FEATURE_NAMES } from '../../plugins/conformance/learner/learner-samples.js';
import { OUTCOME_COLUMNS } from '../../core/learning/sample-recorder.js';
import { DELTA_COLUMNS, PLAN_COLUMNS, SNAPSHOT_COLUMNS } from '../../strategies/lmp/learning-features.js';

describe('feature columns declare when they become known (no look-ahead by construction)', function () {
  it("reads the time from the name's prefix; an undeclared name is refused", () => {
    expect(['tm3s.a', 'tm1s.a', 'dec.a', 'd3.a', 'd1.a', 'fill.a', 'p5s.a', 'p15s.a', 'exit.a'].map(knownAtOf)).to.deep.equal([
      'decision',
      'decision',
      'decision',
      'decision',
      'decision',
      'fill',
      '+5s',
      '+15s',
      'exit',
    ]);
    const bad = declareColumns(['dec.imbalance', 'imbalance_p5s']);
    expect(bad.ok ? 'ok' : bad.code).to.equal('LEARNER.INVALID_FEATURE');
  });

  it('a take/skip request for anything later than the decision is LEARNER.LOOKAHEAD, naming the column', () => {
    for (const late of ['fill.slippageTicks', 'p5s.markoutTicks', 'p15s.markoutTicks', 'exit.markoutTicks']) {
      const r = checkRequest(['dec.imbalance', late], 'take-skip');
      expect(r.ok ? 'ok' : r.code, late).to.equal('LEARNER.LOOKAHEAD');
      if (!r.ok) expect(r.reason).to.include(late);
    }
    expect(checkRequest(['dec.imbalance', 'tm3s.imbalance', 'd1.imbalance'], 'take-skip').ok).to.equal(true);
    expect(
      checkRequest(['fill.slippageTicks', 'p15s.markoutTicks'], 'execution').ok,
      'execution memory may read fills and markouts',
    ).to.equal(true);
    expect(checkRequest(['exit.markoutTicks'], 'execution').ok ? 'ok' : 'refused').to.equal('refused');
    expect(allowedNames(['dec.a', 'fill.b', 'tm1s.c', 'exit.d'], 'take-skip')).to.deep.equal(['dec.a', 'tm1s.c']);
  });

  it("the learner kit's feature list is decision-time only (it used to carry +5s, +15s and exit columns)", () => {
    expect(KIT_FEATURE_NAMES.filter((n) => knownAtOf(n) !== 'decision')).to.deep.equal([]);
  });

  it('every column LMP and the sample recorder write declares its time', () => {
    const lmp = [
      ...['tm3s', 'tm1s', 'dec'].flatMap((p) => SNAPSHOT_COLUMNS.map((c) => `${p}.${c}`)),
      ...['d3', 'd1'].flatMap((p) => DELTA_COLUMNS.map((c) => `${p}.${c}`)),
      ...PLAN_COLUMNS,
    ];
    expect(
      lmp.filter((n) => knownAtOf(n) !== 'decision'),
      'LMP trigger columns are decision-time',
    ).to.deep.equal([]);
    expect(OUTCOME_COLUMNS.map(knownAtOf)).to.deep.equal(['fill', 'fill', 'fill', '+5s', '+15s', 'exit']);
  });
});
