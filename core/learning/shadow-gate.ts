import type { TrainingSample } from '../../ports/learner.js';
import { bootstrapMean } from './bootstrap.js';
import type { GateParams } from './learning-params.js';
import { type Policy, evaluatePolicy } from './policy-eval.js';

export interface GateFigures {
  holdout: number;
  championExpectancyR: number;
  candidateExpectancyR: number;
  deltaR: number;
  deltaLoR: number;
  deltaHiR: number;
  championMaeR: number;
  candidateMaeR: number;
  candidateCoverage: number;
  vetoShift: number;
  championBrier: number;
  candidateBrier: number;
}

export interface GateVerdict {
  pass: boolean;
  /** Every failed check by name; empty when `pass`. */
  failed: string[];
  figures: GateFigures;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The shadow gate (docs/trading-safety.md#learning-guardrails "shadow apply"): champion and candidate replayed on the same recent samples
 * the candidate never trained on. Non-inferiority on the paired per-opportunity R (bootstrap lower bound of the change
 * ≥ −margin), MAE growth, coverage, veto-rate shift, calibration (Brier) and the feature schema. Pure: the verdict
 * and its figures depend on the inputs and the seed only, so the journaled figures can be recomputed.
 */
export function shadowGate(input: {
  champion: Policy;
  candidate: Policy;
  holdout: readonly TrainingSample[];
  schemaMatches: boolean;
  /** The candidate's sections (thresholds, execution) differ from the champion's. */
  sectionsChanged?: boolean;
  params: GateParams;
  seed: number;
}): GateVerdict {
  const { params: p } = input;
  const ch = evaluatePolicy(input.champion, input.holdout);
  const ca = evaluatePolicy(input.candidate, input.holdout);
  const diffs = ca.perSample.map((r, i) => r - ch.perSample[i]!);
  const ci = bootstrapMean(diffs, { seed: input.seed, iterations: p.iterations, confidence: p.confidence });
  const figures: GateFigures = {
    holdout: input.holdout.length,
    championExpectancyR: round(ch.expectancyR), candidateExpectancyR: round(ca.expectancyR),
    deltaR: round(ci.mean), deltaLoR: round(ci.lo), deltaHiR: round(ci.hi),
    championMaeR: round(ch.meanMaeR), candidateMaeR: round(ca.meanMaeR),
    candidateCoverage: round(ca.coverage), vetoShift: round(Math.abs(ca.vetoRate - ch.vetoRate)),
    championBrier: round(ch.brier), candidateBrier: round(ca.brier),
  };
  const failed: string[] = [];
  // Non-inferiority alone would promote a candidate that changes nothing; a new version must change a decision.
  if (diffs.every((x) => x === 0) && input.sectionsChanged !== true) failed.push('no-change');
  if (!input.schemaMatches) failed.push('schema');
  if (input.holdout.length < p.minHoldout) failed.push('holdout-size');
  if (ci.lo < -p.marginR) failed.push('non-inferiority');
  // A champion that takes nothing has no MAE to compare with; then only the candidate's own bound applies.
  if (ch.meanMaeR > 0 ? ca.meanMaeR > ch.meanMaeR * p.maxMaeGrowth : false) failed.push('mae');
  if (ca.coverage < p.minCoverage) failed.push('coverage');
  if (Math.abs(ca.vetoRate - ch.vetoRate) > p.maxVetoShift) failed.push('veto-shift');
  if (ca.brier > ch.brier + p.brierSlack) failed.push('calibration');
  return { pass: failed.length === 0, failed, figures };
}
