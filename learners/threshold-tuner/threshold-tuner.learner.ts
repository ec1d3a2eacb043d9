import type { BuildOptions, BuildResult, Learner, LearnerCandidate, ScoreResult, TrainingSample } from '../../ports/learner.js';
import { quantize } from '../shared/det-math.js';
import { checkSamples, checkVector, parseCandidate, sortedById, withOutcome } from '../shared/samples.js';
import { TUNABLE, snapBp, type ThresholdName, type TunableThreshold } from './thresholds.js';

export const THRESHOLD_TUNER_FORMAT = 1;

export interface ThresholdTunerParams {
  minSamples: number;
  /** Which thresholds to tune (at most three). */
  tune: readonly ThresholdName[];
  /** Prior count in the shrunk expectancy Σw·r / (Σw + shrink): small kept sets are pulled toward 0 R. */
  shrink: number;
  /** A step away from the current value must gain at least this much shrunk expectancy (R), else drift to default. */
  margin: number;
  /** The champion's thresholds (decimals); absent ones start at the default. */
  current?: Readonly<Partial<Record<ThresholdName, number>>> | undefined;
}

export interface TunedThreshold {
  name: ThresholdName;
  column: number;
  valueBp: number;
  fromBp: number;
  defaultBp: number;
  /** Shrunk expectancy (R) of the kept samples at the chosen value and at the current one. */
  value: number;
  currentValue: number;
  kept: number;
}

export interface ThresholdTunerPayload {
  thresholds: TunedThreshold[];
}

function isPayload(p: unknown): p is ThresholdTunerPayload {
  return typeof p === 'object' && p !== null && Array.isArray((p as ThresholdTunerPayload).thresholds);
}

/**
 * Tunes at most three LMP gate thresholds (learners/threshold-tuner/thresholds.ts) from decision-time columns: for
 * each, the grid values one step either side of the current one (within the roadmap's range) are compared by the
 * shrunk expectancy of the samples they would keep; a move needs a margin, and without one the value drifts one
 * step back toward the default. So each promotion moves a threshold by one bounded step at most, and evidence
 * must keep holding a threshold away from its default. Scores 1 when a vector passes every tuned threshold, else 0.
 */
export class ThresholdTunerLearner implements Learner {
  readonly id = 'threshold-tuner';
  readonly purpose = 'thresholds' as const;

  constructor(private readonly defaults: ThresholdTunerParams) {}

  build(input: readonly TrainingSample[], options: BuildOptions): BuildResult {
    const p = { ...this.defaults, ...(options.params as Partial<ThresholdTunerParams> | undefined) };
    const checked = checkSamples(input);
    if (!checked.ok) return checked;
    if (p.tune.length > 3) return { ok: false, code: 'LEARNER.INVALID_PARAMS', reason: 'at most three thresholds are tuned' };
    const samples = withOutcome(sortedById(input));
    if (samples.length < p.minSamples)
      return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: `${samples.length} samples, need ${p.minSamples}` };
    const names = checked.names;
    const thresholds: TunedThreshold[] = [];
    for (const t of TUNABLE) {
      if (!p.tune.includes(t.name)) continue;
      const column = names.indexOf(t.column);
      // A sample layout without the gate's column leaves that threshold alone.
      if (column < 0) continue;
      const cur = p.current?.[t.name] === undefined ? t.defaultBp : snapBp(t, p.current[t.name]!);
      thresholds.push(this.step(t, column, cur, samples, p));
    }
    return {
      ok: true,
      candidate: {
        learnerId: this.id,
        formatVersion: THRESHOLD_TUNER_FORMAT,
        featureNames: [...names],
        trainedOn: input.length,
        payload: { thresholds },
      },
    };
  }

  private step(
    t: TunableThreshold,
    column: number,
    cur: number,
    samples: readonly TrainingSample[],
    p: ThresholdTunerParams,
  ): TunedThreshold {
    const evaluate = (bp: number): { value: number; kept: number } => {
      const thr = bp / 10_000;
      let wr = 0;
      let w = 0;
      let kept = 0;
      for (const s of samples) {
        if (s.features[column]! < thr) continue;
        wr += s.weight * s.label.r;
        w += s.weight;
        kept++;
      }
      return { value: wr / (w + p.shrink), kept };
    };
    const here = evaluate(cur);
    let best = cur;
    let bestEval = here;
    for (const bp of [cur - t.stepBp, cur + t.stepBp]) {
      if (bp < t.minBp || bp > t.maxBp) continue;
      const e = evaluate(bp);
      const better = e.value > bestEval.value || (e.value === bestEval.value && Math.abs(bp - t.defaultBp) < Math.abs(best - t.defaultBp));
      if (better) {
        best = bp;
        bestEval = e;
      }
    }
    if (best !== cur && bestEval.value - here.value < p.margin) {
      // No clear gain: shrink one step toward the default instead.
      best = cur === t.defaultBp ? cur : cur > t.defaultBp ? cur - t.stepBp : cur + t.stepBp;
      bestEval = evaluate(best);
    }
    return {
      name: t.name,
      column,
      valueBp: best,
      fromBp: cur,
      defaultBp: t.defaultBp,
      value: quantize(bestEval.value),
      currentValue: quantize(here.value),
      kept: bestEval.kept,
    };
  }

  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult {
    const v = checkVector(candidate.featureNames, featureNames, features);
    if (!v.ok) return v;
    for (const t of (candidate.payload as ThresholdTunerPayload).thresholds)
      if (features[t.column]! < t.valueBp / 10_000) return { ok: true, score: 0 };
    return { ok: true, score: 1 };
  }

  serialize(c: LearnerCandidate): string {
    const th = (c.payload as ThresholdTunerPayload).thresholds.map((t) => ({
      name: t.name,
      column: t.column,
      valueBp: t.valueBp,
      fromBp: t.fromBp,
      defaultBp: t.defaultBp,
      value: t.value,
      currentValue: t.currentValue,
      kept: t.kept,
    }));
    return JSON.stringify({
      learnerId: c.learnerId,
      formatVersion: c.formatVersion,
      featureNames: c.featureNames,
      trainedOn: c.trainedOn,
      payload: { thresholds: th },
    });
  }

  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string } {
    return parseCandidate(text, this.id, THRESHOLD_TUNER_FORMAT, isPayload);
  }

  /** `{ thresholds: { minImbalance: 0.225, … } }`: LMP params of the same names, as decimals. */
  memory(c: LearnerCandidate): Readonly<Record<string, unknown>> {
    const out: Record<string, number> = {};
    for (const t of (c.payload as ThresholdTunerPayload).thresholds) out[t.name] = t.valueBp / 10_000;
    return { thresholds: out };
  }
}
