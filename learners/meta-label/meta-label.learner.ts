import { allowedNames, checkRequest } from '../../ports/feature-spec.js';
import type { BuildOptions, BuildResult, Learner, LearnerCandidate, ScoreResult, TrainingSample } from '../../ports/learner.js';
import { choleskySolve, detSigmoid, quantize } from '../shared/det-math.js';
import { checkSamples, checkVector, parseCandidate, sortedById, withOutcome } from '../shared/samples.js';

export const META_LABEL_FORMAT = 1;

export interface MetaLabelParams {
  /** Below this many samples with an outcome, no candidate (LEARNER.TOO_FEW_SAMPLES). */
  minSamples: number;
  /** Fewer wins or losses than this: LEARNER.DEGENERATE_LABELS. */
  minPerClass: number;
  /** L2 penalty on the standardised weights (not the intercept). */
  l2: number;
  /** Newton (IRLS) steps, fixed: the result never depends on a convergence test. */
  iterations: number;
  /** Standardised inputs are clipped to ±zClip, so an out-of-range vector cannot push the score to an extreme. */
  zClip: number;
  /** Columns to read; default every column known at decision time. Naming a later one: LEARNER.LOOKAHEAD. */
  features?: readonly string[] | undefined;
}

export interface MetaLabelPayload {
  used: number[];
  mean: number[];
  scale: number[];
  intercept: number;
  weights: number[];
  zClip: number;
  /** Weighted share of wins in training, for reports. */
  baseRate: number;
}

function isPayload(p: unknown): p is MetaLabelPayload {
  const x = p as MetaLabelPayload;
  return (
    typeof x === 'object' &&
    x !== null &&
    Array.isArray(x.used) &&
    Array.isArray(x.mean) &&
    Array.isArray(x.scale) &&
    Array.isArray(x.weights) &&
    typeof x.intercept === 'number' &&
    typeof x.zClip === 'number' &&
    x.used.length === x.weights.length &&
    x.mean.length === x.used.length &&
    x.scale.length === x.used.length
  );
}

/**
 * Meta-labeling filter (López de Prado, AFML ch. 3): LMP picks the trade, this model scores P(R > 0) from the
 * decision-time vector and the loop skips low scores. Standardiser (weighted mean and standard deviation) +
 * L2-regularised logistic regression fitted by a fixed number of Newton steps, solved by Cholesky. Only + − × ÷ and
 * √ in a fixed order (learners/shared/det-math.ts), samples sorted by id first: byte-identical on every engine.
 */
export class MetaLabelLearner implements Learner {
  readonly id = 'meta-label';
  readonly purpose = 'take-skip' as const;

  constructor(private readonly defaults: MetaLabelParams) {}

  build(input: readonly TrainingSample[], options: BuildOptions): BuildResult {
    const p = { ...this.defaults, ...(options.params as Partial<MetaLabelParams> | undefined) };
    const checked = checkSamples(input);
    if (!checked.ok)
      return checked.code === 'LEARNER.TOO_FEW_SAMPLES' && p.minSamples > 0
        ? { ok: false, code: checked.code, reason: checked.reason }
        : checked;
    const names = checked.names;
    const wanted = p.features ?? allowedNames(names, this.purpose);
    const request = checkRequest(wanted, this.purpose);
    if (!request.ok) return request;
    const used: number[] = [];
    for (const w of wanted) {
      const i = names.indexOf(w);
      if (i < 0) return { ok: false, code: 'LEARNER.FEATURE_MISMATCH', reason: `feature '${w}' is not in the samples` };
      used.push(i);
    }
    const samples = withOutcome(sortedById(input));
    if (samples.length < p.minSamples)
      return { ok: false, code: 'LEARNER.TOO_FEW_SAMPLES', reason: `${samples.length} samples with an outcome, need ${p.minSamples}` };
    const wins = samples.filter((s) => s.label.r > 0).length;
    if (wins < p.minPerClass || samples.length - wins < p.minPerClass) {
      return {
        ok: false,
        code: 'LEARNER.DEGENERATE_LABELS',
        reason: `${wins} wins and ${samples.length - wins} losses; need ${p.minPerClass} of each`,
      };
    }
    const d = used.length;
    const n = samples.length;
    // Weighted standardiser, two passes in sample-id order.
    let wSum = 0;
    for (const s of samples) wSum += s.weight;
    if (!(wSum > 0)) return { ok: false, code: 'LEARNER.DEGENERATE_LABELS', reason: 'all sample weights are 0' };
    const mean = new Array<number>(d).fill(0);
    const scale = new Array<number>(d).fill(0);
    for (let j = 0; j < d; j++) {
      let m = 0;
      for (const s of samples) m += s.weight * s.features[used[j]!]!;
      m /= wSum;
      let v = 0;
      for (const s of samples) {
        const dx = s.features[used[j]!]! - m;
        v += s.weight * dx * dx;
      }
      const sd = Math.sqrt(v / wSum);
      mean[j] = quantize(m);
      // A constant column standardises to 0 and keeps weight 0.
      scale[j] = sd > 1e-12 ? quantize(sd) : 1;
    }
    const z = new Array<number>(n * d);
    const y = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      y[i] = s.label.r > 0 ? 1 : 0;
      for (let j = 0; j < d; j++) z[i * d + j] = clip((s.features[used[j]!]! - mean[j]!) / scale[j]!, p.zClip);
    }
    // beta = [intercept, w1..wd]; Newton: (XᵀWX + λI') Δ = Xᵀ(w∘(y − p)) − λ'beta.
    const k = d + 1;
    const beta = new Array<number>(k).fill(0);
    let winW = 0;
    for (let i = 0; i < n; i++) winW += samples[i]!.weight * y[i]!;
    const base = winW / wSum;
    for (let it = 0; it < p.iterations; it++) {
      const h = new Array<number>(k * k).fill(0);
      const g = new Array<number>(k).fill(0);
      const row = new Array<number>(k);
      for (let i = 0; i < n; i++) {
        row[0] = 1;
        for (let j = 0; j < d; j++) row[j + 1] = z[i * d + j]!;
        let eta = 0;
        for (let j = 0; j < k; j++) eta += beta[j]! * row[j]!;
        const pr = detSigmoid(eta);
        const w = samples[i]!.weight;
        const r = w * (y[i]! - pr);
        const c = w * pr * (1 - pr);
        for (let a = 0; a < k; a++) {
          g[a] = g[a]! + r * row[a]!;
          for (let b = 0; b <= a; b++) h[a * k + b] = h[a * k + b]! + c * row[a]! * row[b]!;
        }
      }
      for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) h[b * k + a] = h[a * k + b]!;
      for (let a = 1; a < k; a++) {
        h[a * k + a] = h[a * k + a]! + p.l2;
        g[a] = g[a]! - p.l2 * beta[a]!;
      }
      // The intercept is not penalised; a tiny ridge keeps the system positive definite when every p is 0 or 1.
      h[0] = h[0]! + 1e-9;
      const step = choleskySolve(h, g, k);
      if (step === null) return { ok: false, code: 'LEARNER.DEGENERATE_LABELS', reason: `Newton step ${it + 1} met a singular system` };
      for (let a = 0; a < k; a++) beta[a] = beta[a]! + step[a]!;
    }
    const payload: MetaLabelPayload = {
      used,
      mean,
      scale,
      intercept: quantize(beta[0]!),
      weights: beta.slice(1).map(quantize),
      zClip: p.zClip,
      baseRate: quantize(base),
    };
    return {
      ok: true,
      candidate: { learnerId: this.id, formatVersion: META_LABEL_FORMAT, featureNames: [...names], trainedOn: input.length, payload },
    };
  }

  score(candidate: LearnerCandidate, featureNames: readonly string[], features: readonly number[]): ScoreResult {
    const v = checkVector(candidate.featureNames, featureNames, features);
    if (!v.ok) return v;
    const m = candidate.payload as MetaLabelPayload;
    let eta = m.intercept;
    for (let j = 0; j < m.used.length; j++) eta += m.weights[j]! * clip((features[m.used[j]!]! - m.mean[j]!) / m.scale[j]!, m.zClip);
    return { ok: true, score: detSigmoid(eta) };
  }

  serialize(c: LearnerCandidate): string {
    const m = c.payload as MetaLabelPayload;
    return JSON.stringify({
      learnerId: c.learnerId,
      formatVersion: c.formatVersion,
      featureNames: c.featureNames,
      trainedOn: c.trainedOn,
      payload: {
        used: m.used,
        mean: m.mean,
        scale: m.scale,
        intercept: m.intercept,
        weights: m.weights,
        zClip: m.zClip,
        baseRate: m.baseRate,
      },
    });
  }

  deserialize(text: string): { ok: true; candidate: LearnerCandidate } | { ok: false; code: string; reason: string } {
    return parseCandidate(text, this.id, META_LABEL_FORMAT, isPayload);
  }

  memory(c: LearnerCandidate): Readonly<Record<string, unknown>> {
    return { filter: { learnerId: this.id, model: JSON.parse(this.serialize(c)) as unknown } };
  }
}

function clip(x: number, limit: number): number {
  return x > limit ? limit : x < -limit ? -limit : x;
}
