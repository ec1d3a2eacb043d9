import { Sfc32 } from '../../../core/domain/random.js';
import { REGIMES, type RegimeName, type RegimeSpec } from './regimes.js';

/**
 * Which market the generator draws. `none` is the v2 market, whose outcomes are independent of every observable
 * (a base recovers with a fixed probability): the null test of the learning loop. `planted` adds a hidden quality
 * per shelf episode that decides the outcome and leaks only through a noisy observable.
 */
export type GeneratorSignal = 'none' | 'planted';

export type PlantedRegime = RegimeName | 'breakdown';

/**
 * The planted market's regimes: the v2 ones, with calm shorter and bursts turning into pullbacks more often (so
 * that a session holds enough shelf episodes to learn from), plus `breakdown`: the selling that follows a fake
 * shelf being pulled, with no support under it.
 */
export const PLANTED_REGIMES: Readonly<Record<PlantedRegime, RegimeSpec>> = {
  ...REGIMES,
  calm: { ...REGIMES.calm, seconds: [20, 60], next: (rng) => (rng.next() < 0.8 ? 'burst' : 'calm') },
  burst: { ...REGIMES.burst, next: (rng) => (rng.next() < 0.85 ? 'pullback' : 'calm') },
  base: { ...REGIMES.base, next: () => 'recovery' },
  breakdown: {
    rate: 120,
    trade: 0.32,
    buyShare: 0.18,
    improve: 0.05,
    bidImproveShare: 0.2,
    add: 0.34,
    bidAddShare: 0.3,
    seconds: [12, 25],
    next: () => 'calm',
  },
};

/**
 * The hidden state of one shelf episode. A genuine shelf's owner refills every hit and stays: the pullback ends
 * in a base and a recovery. A fake shelf refills the first hits too (it looks the same to a replenishment
 * counter), then is pulled a few seconds after it was first tested and the price breaks down through it.
 *
 * The only leak is the shelf's size: genuine shelves are drawn larger on average than fake ones, with overlapping
 * ranges (genuine 4.4–6.4×, fake 2.9–4.7× the average of the top five bid levels; LMP measures it against the median
 * of a book that moves meanwhile, which adds noise of its own), so a decision-time feature
 * such as LMP's `shelfSizeRatio` separates them only in part. `invert` swaps the two ranges: the
 * observable–outcome link flips (the poisoned regime of the acceptance protocol, docs/learning.md).
 */
export class PlantedQuality {
  private readonly rng: Sfc32;
  genuine = true;

  constructor(
    seed: number,
    private readonly invert: boolean,
  ) {
    // Its own stream: drawing a quality never shifts the order flow's draws.
    this.rng = new Sfc32((seed ^ 0x51e1f) >>> 0);
  }

  /** A new shelf episode: draws its quality (half genuine) and returns the shelf's size multiplier. */
  draw(): number {
    this.genuine = this.rng.next() < 0.5;
    const large = this.genuine !== this.invert;
    return large ? 4.4 + this.rng.next() * 2 : 2.9 + this.rng.next() * 1.8;
  }

  /** Seconds after the first test at which a fake shelf is pulled. */
  pullDelaySeconds(): number {
    return 2.5 + this.rng.next() * 3;
  }
}
