import { Sfc32 } from '../domain/random.js';
import type { TrainingSample } from '../../ports/learner.js';

/**
 * One-sided randomisation test of a filter's selection skill on a holdout (Fisher's permutation test). `w[i]` is
 * candidate take − champion take (−1, 0, +1) on opportunity i, `r[i]` its realised R; the statistic is Σ w·r, the
 * paired gain. Under the null "which opportunities the two policies disagree on is unrelated to their outcome" — which
 * holds by construction on a market whose outcomes are independent of every observable, as long as neither policy saw
 * the holdout — every assignment of the holdout's outcomes to its opportunities is equally likely, so the p-value below
 * has exactly its nominal size there (docs/learning.md, "the shadow gate").
 *
 * Seeded (core/domain/random.ts) and exact in arithmetic order, so a journaled verdict recomputes. Only the positions
 * where the policies disagree are drawn (a partial Fisher–Yates shuffle of the outcomes per iteration).
 */
export function selectionPValue(
  w: readonly number[],
  r: readonly number[],
  options: { seed: number; iterations: number },
): { statistic: number; p: number; changed: number } {
  const n = r.length;
  const at: number[] = [];
  const sign: number[] = [];
  let statistic = 0;
  for (let i = 0; i < n; i++) {
    if (w[i] === 0) continue;
    at.push(i);
    sign.push(w[i]!);
    statistic += w[i]! * r[i]!;
  }
  const k = at.length;
  if (k === 0) return { statistic: 0, p: 1, changed: 0 };
  const rng = new Sfc32(options.seed ^ 0x5e1ec7);
  const pool = r.slice();
  let asExtreme = 0;
  for (let b = 0; b < options.iterations; b++) {
    let t = 0;
    for (let j = 0; j < k; j++) {
      const pick = j + Math.floor(rng.next() * (n - j));
      const v = pool[pick]!;
      pool[pick] = pool[j]!;
      pool[j] = v;
      t += sign[j]! * v;
    }
    // A tie counts against the candidate: the test never rounds in its favour.
    if (t >= statistic - 1e-12) asExtreme++;
  }
  return { statistic, p: (1 + asExtreme) / (1 + options.iterations), changed: k };
}

/** Indices of the first opportunity of each run of overlapping [decidedAt, closedAt] intervals, in decision order. */
export function episodeHeads(samples: readonly TrainingSample[]): number[] {
  const order = samples.map((_, i) => i).sort((a, b) => samples[a]!.decidedAt - samples[b]!.decidedAt || a - b);
  const heads: number[] = [];
  let end = -Infinity;
  for (const i of order) {
    const s = samples[i]!;
    if (s.decidedAt >= end) heads.push(i);
    if (s.closedAt > end) end = s.closedAt;
  }
  return heads;
}
