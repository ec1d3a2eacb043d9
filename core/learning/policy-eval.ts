import type { TrainingSample } from '../../ports/learner.js';

/** A memory applied to one opportunity: take it or not, and the P(R > 0) it believed (null = no opinion). */
export interface PolicyCall {
  take: boolean;
  p: number | null;
}

export type Policy = (sample: TrainingSample) => PolicyCall;

/** Static LMP: takes every trigger, has no opinion. Version 0, the pinned baseline. */
export const STATIC_POLICY: Policy = () => ({ take: true, p: null });

export interface PolicyFigures {
  /** Mean R per opportunity (a skipped one counts 0), the quantity a filter changes. */
  expectancyR: number;
  /** Mean R of the taken ones. */
  takenMeanR: number;
  coverage: number;
  vetoRate: number;
  /** Mean |MAE| in R of the taken ones. */
  meanMaeR: number;
  /** Brier score of p against R > 0 (the base rate of the set stands in where p is null). */
  brier: number;
  /** Per-opportunity R (0 when skipped), for paired comparisons. */
  perSample: number[];
  /** Per-opportunity decision (true: taken). */
  takes: boolean[];
}

/** Walk-forward figures of a policy on samples it never trained on. */
export function evaluatePolicy(policy: Policy, samples: readonly TrainingSample[]): PolicyFigures {
  const n = samples.length;
  const base = n === 0 ? 0.5 : samples.filter((s) => s.label.r > 0).length / n;
  let taken = 0;
  let sumTaken = 0;
  let sumMae = 0;
  let brier = 0;
  const perSample: number[] = [];
  const takes: boolean[] = [];
  for (const s of samples) {
    const call = policy(s);
    takes.push(call.take);
    const r = call.take ? s.label.r : 0;
    perSample.push(r);
    if (call.take) {
      taken++;
      sumTaken += s.label.r;
      sumMae += Math.abs(s.label.mae);
    }
    const p = call.p ?? base;
    const y = s.label.r > 0 ? 1 : 0;
    brier += (p - y) * (p - y);
  }
  const total = perSample.reduce((a, b) => a + b, 0);
  return {
    expectancyR: n === 0 ? 0 : total / n,
    takenMeanR: taken === 0 ? 0 : sumTaken / taken,
    coverage: n === 0 ? 0 : taken / n,
    vetoRate: n === 0 ? 0 : 1 - taken / n,
    meanMaeR: taken === 0 ? 0 : sumMae / taken,
    brier: n === 0 ? 0 : brier / n,
    perSample,
    takes,
  };
}
