import type { BuildOptions, BuildResult, Learner, LearnerCandidate, ScoreResult, TrainingSample } from '../../ports/learner.js';

/**
 * A tiny take/skip learner for the pipeline's specs: one cut on one feature, P(R>0) = 0.8 above it and 0.2 below
 * (`invert` swaps them — the "inverted filter" of the acceptance protocol). Deterministic, sorts by sampleId.
 */
export class StumpLearner implements Learner {
  readonly id: string;
  readonly purpose = 'take-skip' as const;

  constructor(
    private readonly feature: string,
    private readonly invert = false,
    id = 'stump',
  ) {
    this.id = id;
  }

  build(samples: readonly TrainingSample[], _o: BuildOptions): BuildResult {
    if (samples.length < 4) return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: 'need 4' };
    const sorted = [...samples].sort((a, b) => (a.sampleId < b.sampleId ? -1 : 1));
    const i = sorted[0]!.featureNames.indexOf(this.feature);
    if (i < 0) return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: `no ${this.feature}` };
    let best = { cut: -Infinity, total: sorted.reduce((a, s) => a + s.label.r, 0) };
    for (const c of sorted.map((s) => s.features[i]!)) {
      const total = sorted.filter((s) => s.features[i]! >= c).reduce((a, s) => a + s.label.r, 0);
      if (total > best.total) best = { cut: c, total };
    }
    return {
      ok: true,
      candidate: {
        learnerId: this.id,
        formatVersion: 1,
        featureNames: [...sorted[0]!.featureNames],
        trainedOn: sorted.length,
        payload: { cut: best.cut, index: i },
      },
    };
  }

  score(c: LearnerCandidate, names: readonly string[], values: readonly number[]): ScoreResult {
    if (names.length !== c.featureNames.length) return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: 'names' };
    const { cut, index } = c.payload as { cut: number; index: number };
    const above = values[index]! >= (cut ?? -Infinity);
    return { ok: true, score: above !== this.invert ? 0.8 : 0.2 };
  }

  serialize(c: LearnerCandidate): string {
    return JSON.stringify({
      ...c,
      payload: {
        ...(c.payload as object),
        cut: (c.payload as { cut: number }).cut === -Infinity ? null : (c.payload as { cut: number }).cut,
      },
    });
  }

  deserialize(text: string): { ok: true; candidate: LearnerCandidate } {
    const c = JSON.parse(text) as LearnerCandidate;
    const p = c.payload as { cut: number | null; index: number };
    return { ok: true, candidate: { ...c, payload: { index: p.index, cut: p.cut ?? -Infinity } } };
  }
}

/** A sample whose R depends on feature `x` (x ≥ 0.2 wins +1, below loses −1) unless `flip`. */
export function sample(i: number, x: number, flip = false, session = 's'): TrainingSample {
  const good = x >= 0.2 !== flip;
  const r = good ? 1 : -1;
  return {
    sampleId: `${session}:${String(i).padStart(5, '0')}`,
    tradeId: `t${i}`,
    sessionId: session,
    strategyId: 'lmp',
    symbol: 'X',
    decidedAt: i * 1_000_000,
    closedAt: i * 1_000_000 + 500_000,
    synthetic: false,
    weight: 1,
    featureNames: ['dec.x'],
    features: [x],
    label: {
      r,
      mae: good ? -0.2 : -1,
      mfe: good ? 1 : 0.1,
      win: r > 0,
      timeInTrade: 30,
      exitReason: 'x',
      setupReason: 'y',
      forced: null,
      capped: false,
    },
  };
}
