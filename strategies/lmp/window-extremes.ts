/**
 * Exact sliding-window extremes for the LMP feature history (strategies/lmp/features.ts), so `momentum` answers in
 * O(log n) per sample instead of rescanning the whole ring. Both structures compare values only (no arithmetic), so
 * their answers are bit-identical to a rescan; NaN is never stored (the callers treat it as the rescan does).
 * Nothing is allocated after construction.
 */

/**
 * The suffix-extreme chain of a sequence numbered by increasing `seq`: the elements that are the maximum (or
 * minimum) of everything after them. For `max`, equal values keep the later one, so the first chain element at or
 * after a seq is the LAST occurrence of the maximum of that suffix. At most `capacity` elements; the caller drops
 * the ones older than its own window before pushing.
 */
export class MonotoneChain {
  private readonly seqs: Float64Array;
  private readonly vals: Float64Array;
  private start = 0;
  private len = 0;

  constructor(
    capacity: number,
    private readonly keepMax: boolean,
  ) {
    this.seqs = new Float64Array(capacity);
    this.vals = new Float64Array(capacity);
  }

  get size(): number {
    return this.len;
  }

  push(seq: number, v: number): void {
    const cap = this.seqs.length;
    while (this.len > 0) {
      const back = this.vals[(this.start + this.len - 1) % cap]!;
      if (this.keepMax ? back <= v : back >= v) this.len--;
      else break;
    }
    const slot = (this.start + this.len) % cap;
    this.seqs[slot] = seq;
    this.vals[slot] = v;
    this.len++;
  }

  /** Forget elements with a seq below `seq` (they left the caller's ring). */
  dropBefore(seq: number): void {
    const cap = this.seqs.length;
    while (this.len > 0 && this.seqs[this.start]! < seq) {
      this.start = (this.start + 1) % cap;
      this.len--;
    }
  }

  /** Chain position of the first element with seq ≥ `seq`, or −1: the extreme of the suffix starting at `seq`. */
  find(seq: number): number {
    const cap = this.seqs.length;
    let lo = 0;
    let hi = this.len;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (this.seqs[(this.start + m) % cap]! < seq) lo = m + 1;
      else hi = m;
    }
    return lo < this.len ? lo : -1;
  }

  seqAt(pos: number): number {
    return this.seqs[(this.start + pos) % this.seqs.length]!;
  }

  valueAt(pos: number): number {
    return this.vals[(this.start + pos) % this.vals.length]!;
  }
}

/** Minimum over any range of a fixed array of slots (a segment tree); empty slots read +∞. */
export class RangeMin {
  private readonly size: number;
  private readonly tree: Float64Array;

  constructor(slots: number) {
    let p = 1;
    while (p < slots) p <<= 1;
    this.size = p;
    this.tree = new Float64Array(2 * p).fill(Number.POSITIVE_INFINITY);
  }

  set(slot: number, v: number): void {
    let i = slot + this.size;
    this.tree[i] = v;
    for (i >>= 1; i >= 1; i >>= 1) {
      const l = this.tree[2 * i]!;
      const r = this.tree[2 * i + 1]!;
      this.tree[i] = l < r ? l : r;
    }
  }

  /** Minimum over slots lo..hi inclusive (lo ≤ hi). */
  min(lo: number, hi: number): number {
    let best = Number.POSITIVE_INFINITY;
    let l = lo + this.size;
    let r = hi + this.size + 1;
    while (l < r) {
      if (l & 1) {
        const v = this.tree[l++]!;
        if (v < best) best = v;
      }
      if (r & 1) {
        const v = this.tree[--r]!;
        if (v < best) best = v;
      }
      l >>= 1;
      r >>= 1;
    }
    return best;
  }
}
