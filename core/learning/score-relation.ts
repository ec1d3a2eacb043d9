import type { TrainingSample } from '../../ports/learner.js';
import type { Policy } from './policy-eval.js';
import { episodeHeads, selectionPValue } from './selection-test.js';

export interface ScoreRelation {
  /** Exchangeable units scored (first opportunity of each run of overlapping trades). */
  units: number;
  /** Σ (p − p̄)·R over the units: positive when higher scores went with better outcomes. */
  statistic: number;
  /** One-sided permutation p-value that the relation is this negative by chance (1 when fewer than 2 units). */
  pInverted: number;
}

/**
 * Whether a filter's scores still rank outcomes the way it was built to (docs/learning.md#a-break-in-the-score-outcome-relation).
 * A take/skip filter vetoes only its lowest scores — on the planted market about one opportunity a day — so its own
 * veto gain is too sparse to see a flipped regime within a few trades; its scores reach every labelled opportunity,
 * real or ghost, vetoed or not. Under "scores and outcomes unrelated" every assignment of the outcomes to the scores is
 * equally likely, so the permutation test's p-value is exact at any size; a filter that still works has a positive
 * relation, which makes the test conservative for it. Units as in the shadow gate's selection test (episodeHeads):
 * a real trade and the ghost brackets beside it share one outcome. Seeded and in a fixed order, so it recomputes.
 */
export function scoreRelation(
  policy: Policy,
  samples: readonly TrainingSample[],
  options: { seed: number; iterations: number },
): ScoreRelation {
  const ps: number[] = [];
  const rs: number[] = [];
  for (const i of episodeHeads(samples)) {
    const p = policy(samples[i]!).p;
    if (p === null) continue;
    ps.push(p);
    rs.push(samples[i]!.label.r);
  }
  const n = ps.length;
  if (n < 2) return { units: n, statistic: 0, pInverted: 1 };
  let sum = 0;
  for (const p of ps) sum += p;
  const mean = sum / n;
  // The test is one-sided toward the candidate being right: against −(p − p̄) a negative relation is the extreme.
  const w = ps.map((p) => mean - p);
  const sel = selectionPValue(w, rs, options);
  return { units: n, statistic: Math.round(-sel.statistic * 1e6) / 1e6, pInverted: sel.p };
}
