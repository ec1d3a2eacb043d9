import { expect } from 'chai';
import { choleskySolve, detExp, detSigmoid } from '../../learners/shared/det-math.js';

describe('det-math — exactly rounded operations only', function () {
  it('detExp stays within 1e-12 (relative) of the true exponential over ±30', function () {
    // Math.exp is only a reference here (engines approximate it too, far more closely than this bound).
    for (let y = -30; y <= 30; y += 0.37) expect(Math.abs(detExp(y) / Math.exp(y) - 1)).to.be.below(1e-12);
  });

  it('detSigmoid is in (0, 1), symmetric and monotone', function () {
    let prev = 0;
    for (let z = -40; z <= 40; z += 0.5) {
      const s = detSigmoid(z);
      expect(s).to.be.greaterThan(0).and.lessThan(1);
      expect(s).to.be.at.least(prev);
      expect(Math.abs(s + detSigmoid(-z) - 1)).to.be.below(1e-12);
      prev = s;
    }
    expect(detSigmoid(0)).to.equal(0.5);
  });

  it('the bits of a known value do not depend on the engine (pinned)', function () {
    // Pinned once; a change here means the arithmetic (not the engine) changed, which changes every candidate.
    expect(detExp(1).toString()).to.equal(PINNED_E);
    expect(detSigmoid(0.75).toString()).to.equal(PINNED_S);
  });

  it('choleskySolve solves an SPD system and refuses an indefinite one', function () {
    const x = choleskySolve([4, 2, 2, 3], [2, 1], 2)!;
    expect(x[0]).to.be.closeTo(0.5, 1e-15);
    expect(x[1]).to.be.closeTo(0, 1e-15);
    expect(choleskySolve([1, 2, 2, 1], [1, 1], 2)).to.equal(null);
  });
});

// Printed once from this implementation; any engine running only + − × ÷ must print the same digits.
const PINNED_E = '2.718281828458697';
const PINNED_S = '0.6791786991753876';
