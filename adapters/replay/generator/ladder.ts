import type { BookSide, DepthEvent } from '../../../core/domain/market.js';

export const LEVELS = 10;

/**
 * One side of the generated book: LEVELS contiguous price levels (one tick apart) from the best price outward,
 * every level non-empty — how a liquid one-tick-spread stock looks. Changes are emitted as price-keyed depth
 * deltas (position -1) through `out`, in the order they happen.
 */
export class Ladder {
  readonly sizes = new Float64Array(LEVELS);
  best: number;

  constructor(
    readonly side: BookSide,
    best: number,
    readonly tick: number,
    private readonly out: (
      e: Omit<DepthEvent, 'symbol' | 'seq' | 'epoch' | 'recvTime' | 'exchTime' | 'marketMaker' | 'endOfBatch' | 'kind'>,
    ) => void,
  ) {
    this.best = best;
  }

  /** Price of level k (0 = best). */
  price(k: number): number {
    return this.side === 'bid' ? this.best - k * this.tick : this.best + k * this.tick;
  }

  init(sizeOf: (k: number) => number): void {
    for (let k = 0; k < LEVELS; k++) {
      this.sizes[k] = sizeOf(k);
      this.out({ side: this.side, position: -1, operation: 'insert', price: this.price(k), size: this.sizes[k]! });
    }
  }

  setSize(k: number, size: number): void {
    if (size <= 0) throw new RangeError('use removeBest to empty the best level');
    this.sizes[k] = size;
    this.out({ side: this.side, position: -1, operation: 'update', price: this.price(k), size });
  }

  /** The best level is gone: the side moves one tick away and a new level appears at the back. */
  removeBest(backSize: number): void {
    this.out({ side: this.side, position: -1, operation: 'delete', price: this.best, size: 0 });
    this.sizes.copyWithin(0, 1);
    this.best = this.side === 'bid' ? this.best - this.tick : this.best + this.tick;
    this.sizes[LEVELS - 1] = backSize;
    this.out({ side: this.side, position: -1, operation: 'insert', price: this.price(LEVELS - 1), size: backSize });
  }

  /** A new better price: the side moves one tick inward and the back level leaves the visible book. */
  improve(size: number): void {
    this.out({ side: this.side, position: -1, operation: 'delete', price: this.price(LEVELS - 1), size: 0 });
    this.sizes.copyWithin(1, 0, LEVELS - 1);
    this.best = this.side === 'bid' ? this.best + this.tick : this.best - this.tick;
    this.sizes[0] = size;
    this.out({ side: this.side, position: -1, operation: 'insert', price: this.best, size });
  }

  total(n: number): number {
    let s = 0;
    for (let k = 0; k < n; k++) s += this.sizes[k]!;
    return s;
  }
}
