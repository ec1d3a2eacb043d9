import type { BookView } from '../../core/domain/book-view.js';
import type { Micros, Price } from '../../core/domain/units.js';
import { MonotoneChain, RangeMin } from './window-extremes.js';

/**
 * Feature vector columns (docs/lmp.md#feature-snapshots). Prices are in Price units (integer ten-thousandths; `mid` may end in .5),
 * distances and volatility in ticks, durations in seconds, ratios as fractions. Levels columns follow:
 * bidSize1..N, askSize1..N. The last block (entry..slippageTicks) is filled only on trade snapshots.
 */
export const BASE_FEATURES = [
  'imbalance',
  'tapeImbalance',
  'spread',
  'mid',
  'bestBid',
  'bestAsk',
  'shelfPrice',
  'shelfSizeRatio',
  'shelfPersistenceSec',
  'shelfDistanceTicks',
  'volatilityTicks',
  'impulseTicks',
  'retracement',
  'vwap',
  'relativeVolume',
  'replenishments',
] as const;

export const TRADE_FEATURES = ['entryPrice', 'stopPrice', 'tp1Price', 'tp2Price', 'slippageTicks', 'fillDelaySec'] as const;

export const F = Object.freeze(Object.fromEntries(BASE_FEATURES.map((n, i) => [n, i]))) as Readonly<
  Record<(typeof BASE_FEATURES)[number], number>
>;

/** All snapshot feature names for a given top N, in column order. */
export function featureNames(topN: number): string[] {
  const names: string[] = [...BASE_FEATURES];
  for (let i = 1; i <= topN; i++) names.push(`bidSize${i}`);
  for (let i = 1; i <= topN; i++) names.push(`askSize${i}`);
  return names.concat(TRADE_FEATURES);
}

/** The feature names with the default top N (5). */
export const FEATURE_NAMES: readonly string[] = Object.freeze(featureNames(5));

/** Imb = (BidVol_N − AskVol_N) / (BidVol_N + AskVol_N) over the book's top N (docs/lmp.md#lmp-3); 0 on an empty book. */
export function bookImbalance(book: BookView): number {
  const b = book.topVolume('bid');
  const a = book.topVolume('ask');
  return b + a > 0 ? (b - a) / (b + a) : 0;
}

/** Spread limit max(abs, rel · mid) in Price units; `mid2` is twice the mid (BookView keeps it integer). */
export function spreadLimit(mid2: Price, maxSpreadAbs: Price, maxSpreadRel: number): Price {
  return Math.max(maxSpreadAbs, (maxSpreadRel * mid2) / 2);
}

/** Momentum context over a lookback: the impulse low→high and where price stands in the pullback. */
export interface Momentum {
  /** Lowest mid before the high, the high, and the lowest best bid after the high (pullback swing low). */
  low: Price;
  high: Price;
  swingLow: Price;
  /** (high − low) in Price units; 0 when no up-move. */
  impulse: Price;
  /** (high − mid) / (high − low): 0 at the high, 1 back at the low. */
  retracement: number;
  /** Mean |Δmid| per second over the last 5 s, in Price units (volatility proxy). */
  volatility: number;
}

/**
 * Fixed-rate history of the live feature vector (sampled every `sampleMicros` of Clock time), so that T-3s and
 * T-1s snapshots exist at entry and the impulse can be measured. Invariants: rows are in strictly increasing time
 * order; reading a time older than the ring holds returns −1; nothing is allocated after construction.
 *
 * `momentum` is incremental: the window's high comes from a suffix-maximum chain of mids, the low before it from a
 * range-minimum tree, the swing low after it from a suffix-minimum chain of best bids (strategies/lmp/window-extremes.ts);
 * only the 5 s volatility suffix is summed row by row. Comparisons only, so the answers equal a rescan of the ring
 * bit for bit (test/property/lmp-momentum.spec.ts checks it against the rescanning version).
 */
export class FeatureHistory {
  readonly width: number;
  private readonly rows: Float64Array;
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  /** Rows ever written; row k of the ring (0 = oldest) has sequence number `written − count + k`. */
  private written = 0;
  private nextAt: Micros = 0;
  private readonly midMax: MonotoneChain;
  private readonly bidMin: MonotoneChain;
  private readonly midMin: RangeMin;
  /** Sequence number of the latest row whose best bid is NaN (a rescan's Math.min turns the swing low into NaN). */
  private lastNaNBid = -1;

  constructor(
    readonly sampleMicros: Micros,
    spanMicros: Micros,
    width: number,
  ) {
    this.width = width;
    const capacity = Math.max(8, Math.ceil(spanMicros / sampleMicros) + 2);
    this.rows = new Float64Array(capacity * width);
    this.times = new Float64Array(capacity);
    this.midMax = new MonotoneChain(capacity, true);
    this.bidMin = new MonotoneChain(capacity, false);
    this.midMin = new RangeMin(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Whether `maybeSample(now, …)` would write a row. */
  due(now: Micros): boolean {
    return now >= this.nextAt;
  }

  /** Record `live` if a sample is due at `now`. Returns true when a row was written. */
  maybeSample(now: Micros, live: Float64Array): boolean {
    if (now < this.nextAt) return false;
    const cap = this.times.length;
    const w = this.width;
    const slot = (this.head + this.count) % cap;
    if (this.count === cap) this.head = (this.head + 1) % cap;
    else this.count++;
    this.times[slot] = now;
    const at = slot * w;
    for (let c = 0; c < w; c++) this.rows[at + c] = live[c]!;
    const seq = this.written++;
    const oldest = this.written - this.count;
    this.midMax.dropBefore(oldest);
    this.bidMin.dropBefore(oldest);
    const mid = this.rows[at + F.mid]!;
    const bid = this.rows[at + F.bestBid]!;
    // A NaN mid never becomes the high nor the low in a rescan (every comparison with it is false): keep it out.
    if (!Number.isNaN(mid)) this.midMax.push(seq, mid);
    this.midMin.set(slot, Number.isNaN(mid) ? Number.POSITIVE_INFINITY : mid);
    if (Number.isNaN(bid)) this.lastNaNBid = seq;
    else this.bidMin.push(seq, bid);
    this.nextAt = now - (now % this.sampleMicros) + this.sampleMicros;
    return true;
  }

  /** Slot of the latest row at or before `t`, or −1. */
  slotAt(t: Micros): number {
    const k = this.firstAfter(t) - 1;
    return k < 0 ? -1 : (this.head + k) % this.times.length;
  }

  /** Ring slot of row k (0 = oldest, length − 1 = latest). */
  slotOf(k: number): number {
    return (this.head + k) % this.times.length;
  }

  /** Sample time of the row in `slot`. */
  timeOf(slot: number): Micros {
    return this.times[slot]!;
  }

  value(slot: number, column: number): number {
    return this.rows[slot * this.width + column]!;
  }

  /** Copy a row into `out` (a plain record built by the caller at snapshot time). */
  readInto(slot: number, names: readonly string[], out: Record<string, number>): void {
    for (let c = 0; c < this.width; c++) out[names[c]!] = this.rows[slot * this.width + c]!;
  }

  /**
   * Impulse low→high over [now − lookback, now], pullback swing low and volatility; writes into `out`. The high is
   * the window's largest mid (its last occurrence), the low the smallest mid from the window start to the high, the
   * swing low the smallest best bid from the high on, the volatility Σ|Δmid| over the rows of the last 5 s divided
   * by the seconds since the first of them.
   */
  momentum(now: Micros, lookback: Micros, mid: number, out: Momentum): Momentum {
    const n = this.count;
    const cap = this.times.length;
    const base = this.written - n;
    const a = this.firstAtOrAfter(now - lookback);
    let high = -1;
    let highK = -1;
    const pos = a < n ? this.midMax.find(base + a) : -1;
    // A rescan starts from high = −1, so a window whose mids are all below −1 has no high.
    if (pos >= 0 && this.midMax.valueAt(pos) >= -1) {
      high = this.midMax.valueAt(pos);
      highK = this.midMax.seqAt(pos) - base;
    }
    let low = high;
    let swingLow = Number.POSITIVE_INFINITY;
    if (highK >= 0) {
      const sa = (this.head + a) % cap;
      const sh = (this.head + highK) % cap;
      const m = sa <= sh ? this.midMin.min(sa, sh) : Math.min(this.midMin.min(sa, cap - 1), this.midMin.min(0, sh));
      if (m < low) low = m;
      if (this.lastNaNBid >= base + highK) swingLow = Number.NaN;
      else {
        const b = this.bidMin.find(base + highK);
        if (b >= 0) swingLow = this.bidMin.valueAt(b);
      }
    }
    // Volatility: the rows of the last 5 s, summed oldest first exactly as a rescan does.
    let v = n;
    while (v > 0 && this.times[(this.head + v - 1) % cap]! >= now - 5_000_000) v--;
    let absMoves = 0;
    let firstVol = -1;
    let prev = -1;
    const w = this.width;
    for (let k = v; k < n; k++) {
      const slot = (this.head + k) % cap;
      const m = this.rows[slot * w + F.mid]!;
      if (prev >= 0) absMoves += Math.abs(m - prev);
      else firstVol = this.times[slot]!;
      prev = m;
    }
    out.high = Math.max(high, 0);
    out.low = Math.max(low, 0);
    out.impulse = out.high - out.low;
    out.swingLow = Number.isFinite(swingLow) ? swingLow : 0;
    out.retracement = out.impulse > 0 ? (out.high - mid) / out.impulse : 0;
    const span = firstVol >= 0 ? (now - firstVol) / 1_000_000 : 0;
    out.volatility = span > 0 ? absMoves / span : 0;
    return out;
  }

  /** Row index (0 = oldest) of the first row with time ≥ t, or `length` when none (times strictly increase). */
  private firstAtOrAfter(t: number): number {
    const cap = this.times.length;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.times[(this.head + m) % cap]! < t) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  /** Row index of the first row with time > t, or `length`. */
  private firstAfter(t: number): number {
    const cap = this.times.length;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.times[(this.head + m) % cap]! <= t) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
}

export function emptyMomentum(): Momentum {
  return { low: 0, high: 0, swingLow: 0, impulse: 0, retracement: 0, volatility: 0 };
}
