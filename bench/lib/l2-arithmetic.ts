import type { BookView } from '../../core/domain/book-view.js';

/**
 * The per-event arithmetic of an L2-reading strategy, shared by the framework's bench strategy and the bare
 * baseline loop so that both do exactly the same work: a 5 s tape window in a typed-array ring, top-5 imbalance
 * and a shelf scan (largest top-5 bid vs the median of the top 5) at each batch end.
 */
export class L2Arithmetic {
  private readonly times = new Float64Array(4096);
  private readonly signed = new Float64Array(4096);
  private head = 0;
  private tail = 0;
  buy = 0;
  sell = 0;
  imbalance = 0;
  shelfRatio = 0;
  private readonly scratch = new Float64Array(5);

  onTrade(time: number, size: number, aggressorBuy: boolean | null): void {
    const mask = this.times.length - 1;
    this.times[this.head & mask] = time;
    const s = aggressorBuy === null ? 0 : aggressorBuy ? size : -size;
    this.signed[this.head & mask] = s;
    this.head++;
    if (s > 0) this.buy += s;
    else this.sell -= s;
    while (this.tail < this.head && (this.times[this.tail & mask]! < time - 5_000_000 || this.head - this.tail > mask)) {
      const old = this.signed[this.tail & mask]!;
      if (old > 0) this.buy -= old;
      else this.sell += old;
      this.tail++;
    }
  }

  tapeImbalance(): number {
    const total = this.buy + this.sell;
    return total === 0 ? 0 : (this.buy - this.sell) / total;
  }

  onBatch(book: BookView): void {
    const bid = book.topVolume('bid');
    const ask = book.topVolume('ask');
    this.imbalance = bid + ask === 0 ? 0 : (bid - ask) / (bid + ask);
    const n = Math.min(5, book.levels('bid'));
    for (let i = 0; i < n; i++) this.scratch[i] = book.sizeAt('bid', i);
    // Insertion sort of ≤ 5 values: the median without allocating.
    for (let i = 1; i < n; i++) {
      const v = this.scratch[i]!;
      let j = i - 1;
      while (j >= 0 && this.scratch[j]! > v) {
        this.scratch[j + 1] = this.scratch[j]!;
        j--;
      }
      this.scratch[j + 1] = v;
    }
    const median = n === 0 ? 0 : this.scratch[n >> 1]!;
    this.shelfRatio = median === 0 ? 0 : book.maxBidSizeTopN / median;
  }
}
