import type { BookView } from '../../core/domain/book-view.js';
import type { Micros, Price } from '../../core/domain/units.js';

/**
 * Feature vector columns (§6.2). Prices are in Price units (integer ten-thousandths; `mid` may end in .5),
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

export const F = Object.freeze(Object.fromEntries(BASE_FEATURES.map((n, i) => [n, i]))) as Readonly<Record<(typeof BASE_FEATURES)[number], number>>;

/** All snapshot feature names for a given top N, in column order. */
export function featureNames(topN: number): string[] {
  const names: string[] = [...BASE_FEATURES];
  for (let i = 1; i <= topN; i++) names.push(`bidSize${i}`);
  for (let i = 1; i <= topN; i++) names.push(`askSize${i}`);
  return names.concat(TRADE_FEATURES);
}

/** The feature names with the default top N (5). */
export const FEATURE_NAMES: readonly string[] = Object.freeze(featureNames(5));

/** Imb = (BidVol_N − AskVol_N) / (BidVol_N + AskVol_N) over the book's top N (§5.3); 0 on an empty book. */
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
 * T-1s snapshots exist at entry and the impulse can be measured. Invariants: rows are in time order; reading a
 * time older than the ring holds returns −1; nothing is allocated after construction.
 */
export class FeatureHistory {
  readonly width: number;
  private readonly rows: Float64Array;
  private readonly times: Float64Array;
  private head = 0;
  private count = 0;
  private nextAt: Micros = 0;

  constructor(readonly sampleMicros: Micros, spanMicros: Micros, width: number) {
    this.width = width;
    const capacity = Math.max(8, Math.ceil(spanMicros / sampleMicros) + 2);
    this.rows = new Float64Array(capacity * width);
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Record `live` if a sample is due at `now`. Returns true when a row was written. */
  maybeSample(now: Micros, live: Float64Array): boolean {
    if (now < this.nextAt) return false;
    const cap = this.times.length;
    const slot = (this.head + this.count) % cap;
    if (this.count === cap) this.head = (this.head + 1) % cap;
    else this.count++;
    this.times[slot] = now;
    this.rows.set(live.subarray(0, this.width), slot * this.width);
    this.nextAt = now - (now % this.sampleMicros) + this.sampleMicros;
    return true;
  }

  /** Slot of the latest row at or before `t`, or −1. */
  slotAt(t: Micros): number {
    const cap = this.times.length;
    for (let k = this.count - 1; k >= 0; k--) {
      const slot = (this.head + k) % cap;
      if (this.times[slot]! <= t) return slot;
    }
    return -1;
  }

  value(slot: number, column: number): number {
    return this.rows[slot * this.width + column]!;
  }

  /** Copy a row into `out` (a plain record built by the caller at snapshot time). */
  readInto(slot: number, names: readonly string[], out: Record<string, number>): void {
    for (let c = 0; c < this.width; c++) out[names[c]!] = this.rows[slot * this.width + c]!;
  }

  /** Impulse low→high over [now − lookback, now], pullback swing low and volatility; writes into `out`. */
  momentum(now: Micros, lookback: Micros, mid: number, out: Momentum): Momentum {
    const cap = this.times.length;
    const w = this.width;
    let high = -1;
    let highK = -1;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % cap;
      if (this.times[slot]! < now - lookback) continue;
      const m = this.rows[slot * w + F.mid]!;
      if (m >= high) {
        high = m;
        highK = k;
      }
    }
    let low = high;
    let swingLow = Number.POSITIVE_INFINITY;
    let absMoves = 0;
    let prev = -1;
    let firstVol = -1;
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head + k) % cap;
      const t = this.times[slot]!;
      const m = this.rows[slot * w + F.mid]!;
      if (t >= now - lookback && k <= highK && m < low) low = m;
      if (k >= highK && highK >= 0) swingLow = Math.min(swingLow, this.rows[slot * w + F.bestBid]!);
      if (t >= now - 5_000_000) {
        if (prev >= 0) absMoves += Math.abs(m - prev);
        else firstVol = t;
        prev = m;
      }
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
}

export function emptyMomentum(): Momentum {
  return { low: 0, high: 0, swingLow: 0, impulse: 0, retracement: 0, volatility: 0 };
}
