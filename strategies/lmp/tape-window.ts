import type { BookView } from '../../core/domain/book-view.js';
import type { Aggressor } from '../../core/domain/market.js';
import type { Micros, Price, Quantity } from '../../core/domain/units.js';

/** +1 buyer-initiated, −1 seller-initiated, 0 unknown. */
export type Sign = 1 | -1 | 0;

/**
 * Classify a print by bid/ask crossing (docs/lmp.md#lmp-3): the venue's aggressor flag when given, else at/above the ask is a
 * buy, at/below the bid a sell, and inside the spread the tick rule against the previous print decides.
 */
export function classifyPrint(aggressor: Aggressor, price: Price, book: BookView | undefined, lastPrice: Price): Sign {
  if (aggressor === 'buy') return 1;
  if (aggressor === 'sell') return -1;
  if (book !== undefined && book.bestAsk > 0 && price >= book.bestAsk) return 1;
  if (book !== undefined && book.bestBid > 0 && price <= book.bestBid) return -1;
  if (lastPrice > 0 && price > lastPrice) return 1;
  if (lastPrice > 0 && price < lastPrice) return -1;
  return 0;
}

/**
 * Signed volume over a sliding time window W, evicted by Clock time.
 *
 * Invariants: prints live in typed-array rings (no allocation per print; the ring doubles when full, which
 * happens a few times per session at most); `buyVolume`/`sellVolume` equal the sums over prints with
 * time > now − W after `evict(now)`; times are pushed in non-decreasing order (Clock time never decreases).
 */
export class TapeWindow {
  private times: Float64Array;
  private sizes: Float64Array;
  private signs: Int8Array;
  private head = 0;
  private count = 0;
  buyVolume = 0;
  sellVolume = 0;
  totalVolume = 0;

  constructor(
    readonly windowMicros: Micros,
    capacity = 1024,
  ) {
    this.times = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
    this.signs = new Int8Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(time: Micros, size: Quantity, sign: Sign): void {
    this.evict(time);
    if (this.count === this.times.length) this.grow();
    const i = (this.head + this.count) % this.times.length;
    this.times[i] = time;
    this.sizes[i] = size;
    this.signs[i] = sign;
    this.count++;
    this.totalVolume += size;
    if (sign > 0) this.buyVolume += size;
    else if (sign < 0) this.sellVolume += size;
  }

  /** Drop prints at or before now − W. */
  evict(now: Micros): void {
    const cutoff = now - this.windowMicros;
    const cap = this.times.length;
    while (this.count > 0 && this.times[this.head]! <= cutoff) {
      const size = this.sizes[this.head]!;
      const sign = this.signs[this.head]!;
      this.totalVolume -= size;
      if (sign > 0) this.buyVolume -= size;
      else if (sign < 0) this.sellVolume -= size;
      this.head = (this.head + 1) % cap;
      this.count--;
    }
  }

  /** TapeImb = (Buy − Sell) / (Buy + Sell) over the window; 0 when no classified volume. */
  imbalance(now: Micros): number {
    this.evict(now);
    const d = this.buyVolume + this.sellVolume;
    return d > 0 ? (this.buyVolume - this.sellVolume) / d : 0;
  }

  private grow(): void {
    const cap = this.times.length;
    const times = new Float64Array(cap * 2);
    const sizes = new Float64Array(cap * 2);
    const signs = new Int8Array(cap * 2);
    for (let k = 0; k < this.count; k++) {
      const j = (this.head + k) % cap;
      times[k] = this.times[j]!;
      sizes[k] = this.sizes[j]!;
      signs[k] = this.signs[j]!;
    }
    this.times = times;
    this.sizes = sizes;
    this.signs = signs;
    this.head = 0;
  }
}

/**
 * Session VWAP from the tape. Σ price·size is an exact integer (Price × shares stays far below 2^53 for a session of
 * one name), so the only rounding is the final division.
 */
export class SessionVwap {
  private pv = 0;
  private volume = 0;
  /** `value`, kept by `add`, not divided on each read: it is read on every book event and changes only with a print. */
  private vwap: Price = 0;

  add(price: Price, size: Quantity): void {
    this.pv += price * size;
    this.volume += size;
    this.vwap = this.volume > 0 ? Math.round(this.pv / this.volume) : 0;
  }

  /** VWAP in Price units rounded to the nearest unit, or 0 before the first print. */
  get value(): Price {
    return this.vwap;
  }

  get sessionVolume(): Quantity {
    return this.volume;
  }

  reset(): void {
    this.pv = 0;
    this.volume = 0;
    this.vwap = 0;
  }
}
