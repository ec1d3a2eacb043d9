/**
 * The LMP gate thresholds the tuner may move, in ten-thousandths (integers, so steps and ranges are exact), with the
 * column that gate reads at the decision. Ranges start at the roadmap's v1 value and only tighten within the
 * roadmap's own bounds (docs/learning-data.md; strategies/lmp/params.ts holds the defaults): Imb ≥ +0.20 (docs/lmp.md#lmp-3), tape
 * recovered ≥ 0 (docs/lmp.md#lmp-5), pullback retracement 30–55 % (; the lower bound moves at most to 45 %, keeping a 10-point zone).
 */
export interface TunableThreshold {
  readonly name: 'minImbalance' | 'minRecoveredTape' | 'minRetracement';
  readonly column: string;
  readonly defaultBp: number;
  readonly minBp: number;
  readonly maxBp: number;
  readonly stepBp: number;
}

export const TUNABLE: readonly TunableThreshold[] = Object.freeze([
  { name: 'minImbalance', column: 'dec.imbalance', defaultBp: 2000, minBp: 2000, maxBp: 4000, stepBp: 250 },
  { name: 'minRecoveredTape', column: 'dec.tapeImbalance', defaultBp: 0, minBp: 0, maxBp: 2000, stepBp: 500 },
  { name: 'minRetracement', column: 'dec.retracement', defaultBp: 3000, minBp: 3000, maxBp: 4500, stepBp: 500 },
]);

export type ThresholdName = TunableThreshold['name'];

/** Snap a decimal threshold to the tunable's grid and range. */
export function snapBp(t: TunableThreshold, decimal: number): number {
  const bp = Math.round(decimal * 10_000);
  const steps = Math.round((bp - t.minBp) / t.stepBp);
  return Math.min(t.maxBp, Math.max(t.minBp, t.minBp + steps * t.stepBp));
}
