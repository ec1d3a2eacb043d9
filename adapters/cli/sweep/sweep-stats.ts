import { bootstrapMean } from '../../../core/learning/bootstrap.js';
import type { SweepDayResult, SweepTrade } from './sweep-day.js';

export interface ArmFigures {
  trades: number;
  expectancyR: number;
  ciLowR: number;
  ciHighR: number;
  winRate: number;
  maeR: number;
  mfeR: number;
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Expectancy in R per trade with a seeded 95 % bootstrap interval, win rate, mean MAE/MFE. */
export function armFigures(trades: readonly SweepTrade[], seed: number): ArmFigures {
  const rs = trades.map((t) => t.r);
  const ci = bootstrapMean(rs, { seed, iterations: 4000, confidence: 0.95 });
  const mean = (xs: number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    trades: rs.length,
    expectancyR: r4(ci.mean),
    ciLowR: r4(ci.lo),
    ciHighR: r4(ci.hi),
    winRate: r4(rs.length === 0 ? 0 : rs.filter((r) => r > 0).length / rs.length),
    maeR: r4(mean(trades.map((t) => t.mae))),
    mfeR: r4(mean(trades.map((t) => t.mfe))),
  };
}

/**
 * Uplift per day, paired on the same days: (learned R summed over the day) − (static R summed), bootstrapped over
 * days (95 %). Per-day sums, not per-trade means, because a filter changes the number of trades.
 */
export function dailyUplift(
  learned: readonly SweepDayResult[],
  statics: readonly SweepDayResult[],
  seed: number,
): { meanR: number; ciLowR: number; ciHighR: number; days: number } {
  const byIndex = new Map(statics.map((d) => [d.index, d]));
  const diffs: number[] = [];
  for (const l of learned) {
    const s = byIndex.get(l.index);
    if (s === undefined) continue;
    diffs.push(l.trades.reduce((a, t) => a + t.r, 0) - s.trades.reduce((a, t) => a + t.r, 0));
  }
  const ci = bootstrapMean(diffs, { seed, iterations: 4000, confidence: 0.95 });
  return { meanR: r4(ci.mean), ciLowR: r4(ci.lo), ciHighR: r4(ci.hi), days: diffs.length };
}

/**
 * A hindsight bound for a one-feature filter: the best cut on the decision-time shelf size ratio, chosen on the
 * static arm's own trades (the observable the planted market leaks through). Not reachable by a learner that must
 * decide before it sees the day; printed as the ceiling.
 */
export function oracleFigures(statics: readonly SweepDayResult[], seed: number): ArmFigures & { cut: number | null } {
  const all = statics.flatMap((d) => d.trades);
  const cuts = [...new Set(all.map((t) => t.shelfSizeRatio).filter((x): x is number => x !== null))].sort((a, b) => a - b);
  let best: { cut: number | null; total: number } = { cut: null, total: all.reduce((a, t) => a + t.r, 0) };
  for (const c of cuts) {
    const total = all.filter((t) => (t.shelfSizeRatio ?? Infinity) >= c).reduce((a, t) => a + t.r, 0);
    if (total > best.total) best = { cut: c, total };
  }
  const kept = best.cut === null ? all : all.filter((t) => (t.shelfSizeRatio ?? Infinity) >= best.cut!);
  return { ...armFigures(kept, seed), cut: best.cut === null ? null : r4(best.cut) };
}
