import type { TrainingSample } from '../../ports/learner.js';
import { bootstrapMean } from './bootstrap.js';
import type { GateParams } from './learning-params.js';
import { type Policy, evaluatePolicy } from './policy-eval.js';
import { episodeHeads, selectionPValue } from './selection-test.js';
import { scoreRelation } from './score-relation.js';
import { seedFrom } from '../domain/random.js';

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
  /** Opportunities the two policies decide differently, and the selection test's one-sided p-value on them. */
  changed: number;
  selectionP: number;
  /** The candidate's score–outcome relation on the newest units of the holdout (the break check): units scored,
   * Σ (p − p̄)·R and the one-sided p-value of an inverted relation. */
  breakUnits: number;
  breakStatistic: number;
  breakP: number;
}

export interface GateVerdict {
  pass: boolean;
  /** Every failed check by name; empty when `pass`. */
  failed: string[];
  figures: GateFigures;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The shadow gate (docs/trading-safety.md#learning-guardrails "shadow apply"): champion and candidate replayed on the same recent samples the
 * candidate never trained on. Non-inferiority on the paired per-opportunity R (bootstrap lower bound of the change
 * ≥ −margin), evidence of selection on the changed decisions (a permutation test, core/learning/selection-test.ts), MAE growth, coverage, veto-rate shift, calibration (Brier) and the feature schema. Pure: the verdict
 * and its figures depend on the inputs and the seed only, so the journaled figures can be recomputed.
 */
export function shadowGate(input: {
  champion: Policy;
  candidate: Policy;
  holdout: readonly TrainingSample[];
  schemaMatches: boolean;
  /** The candidate's sections (thresholds, execution) differ from the champion's: refused, as the holdout cannot replay them. */
  sectionsChanged?: boolean;
  params: GateParams;
  seed: number;
}): GateVerdict {
  const { params: p } = input;
  const ch = evaluatePolicy(input.champion, input.holdout);
  const ca = evaluatePolicy(input.candidate, input.holdout);
  const diffs = ca.perSample.map((r, i) => r - ch.perSample[i]!);
  const ci = bootstrapMean(diffs, { seed: input.seed, iterations: p.iterations, confidence: p.confidence });
  const w = ca.takes.map((t, i) => (t === ch.takes[i] ? 0 : t ? 1 : -1));
  // The permutation test needs exchangeable units. Triggers of one episode overlap in time and share their outcome
  // (a real trade and the ghost brackets beside it), so a filter vetoing one losing episode would count as several
  // independent hits: only the first opportunity of each run of overlapping [decision, exit] intervals is a unit.
  const units = episodeHeads(input.holdout);
  const sel = selectionPValue(
    units.map((i) => w[i]!),
    units.map((i) => input.holdout[i]!.label.r),
    { seed: input.seed, iterations: p.iterations },
  );
  // The holdout is mostly older samples right after a change of regime, so its totals still speak for a filter
  // whose link to the outcome has just flipped; the newest units alone show it (docs/learning.md#a-break-in-the-score-outcome-relation).
  const newest = input.holdout.slice(Math.max(0, input.holdout.length - newestSpan(input.holdout, p.breakUnits)));
  const brk = scoreRelation(input.candidate, newest, { seed: seedFrom(input.seed, 'break'), iterations: p.iterations });
  const figures: GateFigures = {
    holdout: input.holdout.length,
    championExpectancyR: round(ch.expectancyR),
    candidateExpectancyR: round(ca.expectancyR),
    deltaR: round(ci.mean),
    deltaLoR: round(ci.lo),
    deltaHiR: round(ci.hi),
    championMaeR: round(ch.meanMaeR),
    candidateMaeR: round(ca.meanMaeR),
    candidateCoverage: round(ca.coverage),
    vetoShift: round(Math.abs(ca.vetoRate - ch.vetoRate)),
    championBrier: round(ch.brier),
    candidateBrier: round(ca.brier),
    changed: sel.changed,
    selectionP: round(sel.p),
    breakUnits: brk.units,
    breakStatistic: brk.statistic,
    breakP: round(brk.pInverted),
  };
  const failed: string[] = [];
  // Non-inferiority alone would promote a candidate that changes nothing; a new version must change a decision.
  if (diffs.every((x) => x === 0) && input.sectionsChanged !== true) failed.push('no-change');
  // The holdout's labels were made under the champion's thresholds and offsets: a loosened threshold would take
  // triggers never observed, a moved entry offset or stop buffer changes fills and brackets the labels cannot
  // recompute. A candidate whose sections differ has no evidence here, so it is refused, never waved through
  // (docs/learning.md#sections-the-gate-cannot-replay); only a forced promote installs one.
  if (input.sectionsChanged === true) failed.push('sections-unevaluated');
  if (!input.schemaMatches) failed.push('schema');
  if (input.holdout.length < p.minHoldout) failed.push('holdout-size');
  if (ci.lo < -p.marginR) failed.push('non-inferiority');
  // Non-inferiority alone promotes any filter too sparse to cost much — on a market with nothing to learn, most
  // of them (docs/learning.md). A candidate that decides differently must also show that it picks: its gain on the
  // changed decisions beats a random assignment of the holdout's outcomes at level selectionAlpha.
  if (sel.changed > 0 && sel.p > p.selectionAlpha) failed.push('selection');
  // A champion that takes nothing has no MAE to compare with; then only the candidate's own bound applies.
  if (ch.meanMaeR > 0 ? ca.meanMaeR > ch.meanMaeR * p.maxMaeGrowth : false) failed.push('mae');
  if (ca.coverage < p.minCoverage) failed.push('coverage');
  if (Math.abs(ca.vetoRate - ch.vetoRate) > p.maxVetoShift) failed.push('veto-shift');
  if (ca.brier > ch.brier + p.brierSlack) failed.push('calibration');
  if (brk.units >= p.breakUnits && brk.pInverted < p.breakAlpha) failed.push('break');
  return { pass: failed.length === 0, failed, figures };
}

/** How many of the newest samples (holdout order) hold `units` episode heads: overlapping triggers count once. */
function newestSpan(samples: readonly TrainingSample[], units: number): number {
  let k = 0;
  while (k < samples.length && episodeHeads(samples.slice(samples.length - k)).length < units) k++;
  return k;
}
