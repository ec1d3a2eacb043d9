import type { BuildOptions, BuildResult, Learner, LearnerCandidate, ScoreResult, TrainingSample } from '../../ports/learner.js';

const FORMAT_VERSION = 1;

/**
 * The learner that learns nothing: its candidate scores every vector 0 (neutral), so memory never moves a
 * threshold. It still validates its inputs like a real learner, which keeps the learning loop honest when it is
 * selected.
 */
export class NoneLearner implements Learner {
  readonly id = 'none';
  readonly purpose = 'take-skip' as const;

  build(samples: readonly TrainingSample[], _options: BuildOptions): BuildResult {
    if (samples.length === 0) return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: 'no samples' };
    const names = samples[0]!.featureNames;
    for (const s of samples) {
      if (s.featureNames.length !== names.length || s.featureNames.some((n, i) => n !== names[i])) {
        return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: `sample ${s.sampleId} has different feature names` };
      }
      if (s.features.some((v) => !Number.isFinite(v)))
        return { ok: false, code: 'LEARNER.INVALID_FEATURE', reason: `sample ${s.sampleId} has a non-finite feature` };
    }
    return {
      ok: true,
      candidate: { learnerId: this.id, formatVersion: FORMAT_VERSION, featureNames: [...names], trainedOn: samples.length, payload: {} },
    };
  }

  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult {
    if (featureNames.length !== candidate.featureNames.length || featureNames.some((n, i) => n !== candidate.featureNames[i])) {
      return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: 'feature names differ from the candidate' };
    }
    if (features.length !== featureNames.length || features.some((v) => !Number.isFinite(v))) {
      return { ok: false, code: 'LEARNER.INVALID_FEATURE', reason: 'vector length or values invalid' };
    }
    return { ok: true, score: 0 };
  }

  serialize(candidate: LearnerCandidate): string {
    return JSON.stringify(candidate);
  }

  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string } {
    try {
      const c = JSON.parse(text) as LearnerCandidate;
      if (c.learnerId !== this.id || c.formatVersion !== FORMAT_VERSION || !Array.isArray(c.featureNames)) {
        return { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: 'not a none-learner candidate of a known format' };
      }
      return { ok: true, candidate: c };
    } catch (error) {
      return { ok: false, code: 'LEARNER.FORMAT_UNSUPPORTED', reason: (error as Error).message };
    }
  }
}
