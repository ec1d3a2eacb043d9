import { expect } from 'chai';
import fc from 'fast-check';
import type { Learner, TrainingSample } from '../../ports/learner.js';
import { MetaLabelLearner } from '../../learners/meta-label/meta-label.learner.js';
import { metaLabelParams } from '../../learners/meta-label/index.js';
import { ThresholdTunerLearner } from '../../learners/threshold-tuner/threshold-tuner.learner.js';
import { thresholdTunerParams } from '../../learners/threshold-tuner/index.js';
import { ExecMemoryLearner } from '../../learners/exec-memory/exec-memory.learner.js';
import { execMemoryParams } from '../../learners/exec-memory/index.js';
import { Sfc32 } from '../../core/domain/random.js';

const NAMES = [
  'dec.imbalance',
  'dec.tapeImbalance',
  'dec.retracement',
  'd1.mid',
  'dec.spreadTicks',
  'dec.volatilityTicks',
  'fill.filled',
  'fill.slippageTicks',
  'p5s.markoutTicks',
];

/** Samples whose R depends on dec.imbalance, drawn from a seed; ids are unique. */
function samples(seed: number, n: number): TrainingSample[] {
  const rng = new Sfc32(seed);
  const out: TrainingSample[] = [];
  for (let i = 0; i < n; i++) {
    const imb = Math.round(rng.next() * 10_000) / 10_000;
    const f = [
      imb,
      Math.round((rng.next() - 0.3) * 1000) / 1000,
      Math.round((0.3 + rng.next() * 0.25) * 1000) / 1000,
      Math.round((rng.next() - 0.5) * 400) / 100,
      1 + Math.floor(rng.next() * 3),
      Math.round(rng.next() * 300) / 100,
      rng.next() < 0.8 ? 1 : 0,
      Math.round((rng.next() - 0.5) * 100) / 100,
      Math.round((rng.next() - 0.4) * 400) / 100,
    ];
    const r = Math.round(((imb - 0.45) * 4 + (rng.next() - 0.5)) * 1000) / 1000;
    out.push({
      sampleId: `s${seed}-${String(i).padStart(4, '0')}`,
      tradeId: `t${i}`,
      sessionId: 'p',
      strategyId: 'lmp',
      symbol: 'X',
      decidedAt: i * 1_000_000,
      closedAt: i * 1_000_000 + 5,
      synthetic: i % 3 === 0,
      weight: i % 3 === 0 ? 0.5 : 1,
      featureNames: NAMES,
      features: f,
      label: {
        r,
        mae: Math.min(0, r),
        mfe: Math.max(0, r),
        win: r > 0,
        timeInTrade: 10,
        exitReason: 'tp2',
        setupReason: 'p',
        forced: null,
        capped: false,
      },
    });
  }
  return out;
}

const LEARNERS: [string, () => Learner][] = [
  ['meta-label', () => new MetaLabelLearner(metaLabelParams.parse({}))],
  ['threshold-tuner', () => new ThresholdTunerLearner(thresholdTunerParams.parse({}))],
  ['exec-memory', () => new ExecMemoryLearner(execMemoryParams.parse({}))],
];

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = new Sfc32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('learners — determinism (property)', function () {
  this.timeout(60_000);
  for (const [id, make] of LEARNERS) {
    it(`${id}: the same samples twice and any shuffle of them give identical candidate bytes`, function () {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.integer({ min: 40, max: 120 }),
          fc.integer({ min: 1, max: 1_000_000 }),
          (seed, n, shuffleSeed) => {
            const set = samples(seed, n);
            const a = make().build(set, { seed: 3 });
            const b = make().build(samples(seed, n), { seed: 3 });
            const c = make().build(shuffle(set, shuffleSeed), { seed: 3 });
            expect(a.ok, a.ok ? '' : a.reason).to.equal(true);
            if (!a.ok || !b.ok || !c.ok) return;
            const text = make().serialize(a.candidate);
            expect(make().serialize(b.candidate)).to.equal(text);
            expect(make().serialize(c.candidate)).to.equal(text);
          },
        ),
        { numRuns: 25, seed: 12 },
      );
    });
  }
});

describe('meta-label — it learns the planted link and refuses look-ahead', function () {
  it('scores a high-imbalance vector above a low-imbalance one when R rises with imbalance', function () {
    const l = new MetaLabelLearner(metaLabelParams.parse({}));
    const res = l.build(samples(5, 200), { seed: 1 });
    expect(res.ok).to.equal(true);
    if (!res.ok) return;
    const v = (imb: number): number[] => [imb, 0.1, 0.4, 0, 1, 1, 1, 0, 0];
    const hi = l.score(res.candidate, NAMES, v(0.9));
    const lo = l.score(res.candidate, NAMES, v(0.1));
    expect(hi.ok && lo.ok).to.equal(true);
    if (hi.ok && lo.ok) {
      expect(hi.score).to.be.greaterThan(0.7);
      expect(lo.score).to.be.lessThan(0.3);
    }
    // The default reads decision-time columns only: fill./p5s. are not in the model.
    const used = (res.candidate.payload as { used: number[] }).used.map((i) => NAMES[i]);
    expect(used).to.deep.equal([
      'dec.imbalance',
      'dec.tapeImbalance',
      'dec.retracement',
      'd1.mid',
      'dec.spreadTicks',
      'dec.volatilityTicks',
    ]);
  });

  it('refuses a request for a column known after the decision with LEARNER.LOOKAHEAD', function () {
    const l = new MetaLabelLearner(metaLabelParams.parse({}));
    const res = l.build(samples(5, 100), { seed: 1, params: { features: ['dec.imbalance', 'p5s.markoutTicks'] } });
    expect(res.ok ? 'candidate' : res.code).to.equal('LEARNER.LOOKAHEAD');
    if (!res.ok) expect(res.reason).to.match(/p5s\.markoutTicks.*\+5s/);
  });
});

describe('threshold-tuner — bounded steps toward evidence, back toward defaults without it', function () {
  it('moves minImbalance one step up when low-imbalance trades lose, never beyond the range', function () {
    const l = new ThresholdTunerLearner(thresholdTunerParams.parse({ tune: ['minImbalance'] }));
    let current = 0.2;
    const seen: number[] = [];
    for (let round = 0; round < 12; round++) {
      const res = l.build(samples(9, 200), { seed: 1, params: { current: { minImbalance: current } } });
      expect(res.ok).to.equal(true);
      if (!res.ok) return;
      const next = (l.memory(res.candidate).thresholds as Record<string, number>).minImbalance!;
      expect(Math.abs(next - current)).to.be.at.most(0.025 + 1e-12);
      expect(next).to.be.within(0.2, 0.4);
      seen.push(next);
      current = next;
    }
    expect(seen[0]).to.equal(0.225);
    expect(Math.max(...seen)).to.be.greaterThan(0.3);
  });

  it('drifts back toward the default when the data carry no signal', function () {
    const flat = samples(4, 200).map((s) => ({ ...s, label: { ...s.label, r: 0.1 } }));
    const l = new ThresholdTunerLearner(thresholdTunerParams.parse({ tune: ['minImbalance'] }));
    const res = l.build(flat, { seed: 1, params: { current: { minImbalance: 0.3 } } });
    expect(res.ok && (l.memory(res.candidate).thresholds as Record<string, number>).minImbalance).to.equal(0.275);
  });
});

describe('exec-memory — statistics from real trades only', function () {
  it('ignores synthetic samples and keeps offsets and buffers in the roadmap ranges', function () {
    const l = new ExecMemoryLearner(execMemoryParams.parse({ minBucket: 3 }));
    const set = samples(11, 150);
    const a = l.build(set, { seed: 1 });
    const ghostsChanged = set.map((s) => (s.synthetic ? { ...s, features: s.features.map((x, i) => (i >= 6 ? x + 5 : x)) } : s));
    const b = l.build(ghostsChanged, { seed: 1 });
    expect(a.ok && b.ok).to.equal(true);
    if (!a.ok || !b.ok) return;
    expect(l.serialize(b.candidate)).to.equal(l.serialize(a.candidate));
    const buckets = (
      l.memory(a.candidate).execution as { buckets: Record<string, { entryOffsetTicks: number | null; stopBufferTicks: number | null }> }
    ).buckets;
    for (const b of Object.values(buckets)) {
      if (b.entryOffsetTicks !== null) expect(b.entryOffsetTicks).to.be.oneOf([0, 1]);
      if (b.stopBufferTicks !== null) expect(b.stopBufferTicks).to.be.within(1, 3);
    }
  });
});
