import { Sfc32 } from '../../../core/domain/random.js';
import { REGIMES, type RegimeName, type RegimeSpec } from './regimes.js';

/**
 * Which market the generator draws. `none` is the v2 market (the default, unchanged): whether a base recovers is a
 * fixed-probability draw, but how far it goes scales with the impulse, so the size of a trade's R still depends on
 * what a trader saw. `planted` adds a hidden quality per shelf episode that decides the outcome and leaks only
 * through a noisy observable. `null` is the planted market with the leak removed: the quality is a coin that no
 * observable carries, so nothing a trader sees predicts the outcome (the null test of the learning loop,
 * docs/learning.md#the-markets-it-is-measured-on).
 */
export type GeneratorSignal = 'none' | 'planted' | 'null';

/** The generator's median level size in shares (market-generator.ts draws every level around it). */
export const TYPICAL_LEVEL = 1500;

/**
 * v5: the share of genuine shelves. With v5's fakes stopping LMP out, an even split makes static LMP lose on
 * average, and the best filter would skip most entries, which the gate's coverage and veto-shift bounds forbid by
 * design (docs/learning.md#the-markets-it-is-measured-on); a fake shelf is the exception, as spoofing is.
 */
const GENUINE_SHARE_V5 = 2 / 3;

/**
 * Planted-market versions: 3 pulls a fake shelf during its pullback; 4 resolves every tested shelf after its base;
 * 5 (the default) resolves it 1–3 s after the tape turns to buying on the shelf, the moment LMP's trigger can fire
 * (docs/learning.md#the-markets-it-is-measured-on).
 */
export type PlantedVersion = 3 | 4 | 5;

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
 * ranges (v3, v4: genuine 4.4–6.4×, fake 2.9–4.7× the average of the top five bid levels; v5: genuine 5.2–9.0×,
 * fake 2.9–5.4× a typical level; LMP measures it against the median of a book that moves meanwhile, which adds noise
 * of its own), so a decision-time feature such as LMP's `shelfSizeRatio` separates them only in part. `invert` swaps the two ranges: the
 * observable–outcome link flips (the poisoned regime of the acceptance protocol, docs/learning.md).
 */
export class PlantedQuality {
  private readonly rng: Sfc32;
  // v5's resolution delays come from a stream of their own, so v3, v4 and the null market draw what they drew.
  private readonly timing: Sfc32 | null;
  genuine = true;

  /**
   * `leak` false (the null market): the shelf's size is drawn from one range whatever the quality. Version 4 (and
   * the null market) let every tested shelf form a base and decide at the base's end — pulled and broken through,
   * or held and recovered — each by a travel drawn here, not from the impulse, so the path after a trader's entry
   * does not depend on what came before it (docs/learning.md#the-markets-it-is-measured-on).
   */
  constructor(
    seed: number,
    private readonly invert: boolean,
    readonly leak = true,
    readonly version: PlantedVersion = 3,
  ) {
    // Its own stream: drawing a quality never shifts the order flow's draws.
    this.rng = new Sfc32((seed ^ 0x51e1f) >>> 0);
    this.timing = version >= 5 && leak ? new Sfc32((seed ^ 0x7a9e5) >>> 0) : null;
  }

  /**
   * Version 5: the base on a tested shelf ends shortly after the tape has turned to buying, not after a drawn
   * duration. LMP's trigger waits for that turn (tape ≥ `minRecoveredTape`), so in v4 most of its entries came a few
   * seconds into a 6–16 s base and left on a microstructure exit before the quality decided (docs/learning.md);
   * resolving 1–3 s after the turn leaves a position entered on a fake shelf open when the shelf is pulled.
   */
  get resolvesOnTapeTurn(): boolean {
    return this.timing !== null;
  }

  /** Seconds from the tape's turn on the shelf to the shelf's fate (v5): the same draw for either quality. */
  resolveDelaySeconds(): number {
    return 1 + this.timing!.next() * 2;
  }

  /** True when a tested shelf goes through a base and its quality decides at the base's end (version 4, null). */
  get resolvesAfterBase(): boolean {
    return this.version >= 4 || !this.leak;
  }

  /** A new shelf episode: draws its quality (half genuine; two thirds in v5) and returns the shelf's size multiplier. */
  draw(): number {
    this.genuine = this.rng.next() < (this.timing !== null ? GENUINE_SHARE_V5 : 0.5);
    if (!this.leak) return 2.9 + this.rng.next() * 3.5;
    const large = this.genuine !== this.invert;
    if (this.timing !== null) return large ? 5.2 + this.rng.next() * 3.8 : 2.9 + this.rng.next() * 2.5;
    return large ? 4.4 + this.rng.next() * 2 : 2.9 + this.rng.next() * 1.8;
  }

  /**
   * What the size multiplier applies to. v3, v4 and null: the average of the top five bid levels when the pullback
   * starts, which a burst's stacked bids make vary up to ×4, noise on top of the book's own (docs/learning.md). v5: a
   * typical level (the generator's median level size), as an owner sizes an order in shares.
   */
  sizeReference(topFiveAverage: number): number {
    return this.timing !== null ? TYPICAL_LEVEL : topFiveAverage;
  }

  /** Seconds after the first test at which a fake shelf is pulled (v3), or the pullback of any shelf ends (v4, null). */
  pullDelaySeconds(): number {
    return 2.5 + this.rng.next() * 3;
  }

  /**
   * Ticks a recovery (genuine) or a breakdown (fake) covers after the base (v4, null): far enough to reach LMP's
   * second target or its stop from the shelf for any stop buffer and risk the default parameters allow, so the
   * outcome is all-or-nothing rather than a size that scales with the setup.
   */
  travelTicks(): number {
    return 22 + Math.floor(this.rng.next() * 8);
  }
}
