import type { Sfc32 } from '../../../core/domain/random.js';

export type RegimeName = 'calm' | 'burst' | 'pullback' | 'base' | 'recovery';

export interface RegimeSpec {
  /** Messages per second (before the generator's intensity factor). */
  rate: number;
  /** Probability that a step is an aggressive print, and the share of those that are buys. */
  trade: number;
  buyShare: number;
  /** Probability of a price improvement when the spread is wider than one tick, and of the bid improving. */
  improve: number;
  bidImproveShare: number;
  /** Probability of an add (the rest are cancels), and of the add being on the bid. */
  add: number;
  bidAddShare: number;
  /** Duration range, seconds. */
  seconds: readonly [number, number];
  next(rng: Sfc32): RegimeName;
}

/**
 * Regimes of the generated tape. A burst lifts offers with bids stacking behind (impulse); a pullback leans to the
 * sell side onto a large resting bid (the shelf) that absorbs it; a base trades two-sided just above the held shelf
 * while buyers take over (sellers still hit the bid, buyers lift the offer, prices barely move); a recovery resumes
 * buying. Calm is two-sided. Bursts and recoveries end early once they covered their drawn distance, so order flow
 * strong enough to look like momentum does not also run the price away (see `market-generator.ts`).
 */
export const REGIMES: Readonly<Record<RegimeName, RegimeSpec>> = {
  calm: {
    rate: 45,
    trade: 0.12,
    buyShare: 0.5,
    improve: 0.1,
    bidImproveShare: 0.5,
    add: 0.4,
    bidAddShare: 0.5,
    seconds: [40, 120],
    next: (rng) => (rng.next() < 0.7 ? 'burst' : 'calm'),
  },
  burst: {
    rate: 170,
    trade: 0.3,
    buyShare: 0.8,
    improve: 0.12,
    bidImproveShare: 0.8,
    add: 0.34,
    bidAddShare: 0.72,
    seconds: [15, 40],
    next: (rng) => (rng.next() < 0.75 ? 'pullback' : 'calm'),
  },
  pullback: {
    rate: 90,
    trade: 0.22,
    buyShare: 0.3,
    improve: 0.1,
    bidImproveShare: 0.35,
    add: 0.36,
    bidAddShare: 0.4,
    seconds: [15, 35],
    next: (rng) => (rng.next() < 0.7 ? 'base' : 'calm'),
  },
  base: {
    rate: 110,
    trade: 0.3,
    buyShare: 0.56,
    improve: 0.03,
    bidImproveShare: 0.3,
    add: 0.4,
    bidAddShare: 0.6,
    seconds: [6, 16],
    next: (rng) => (rng.next() < 0.85 ? 'recovery' : 'calm'),
  },
  recovery: {
    rate: 140,
    trade: 0.26,
    buyShare: 0.72,
    improve: 0.12,
    bidImproveShare: 0.75,
    add: 0.36,
    bidAddShare: 0.65,
    seconds: [10, 30],
    next: () => 'calm',
  },
};
