import type { Micros } from './units.js';

/**
 * "K events within a window of Clock time" (depth anomalies before a resync, card FEED-13; docs/conformance-cards.md#feed-13), in a ring of
 * preallocated times: recording one allocates nothing. After a burst the count starts over, so one burst is reported
 * once. A limit of 0 or less never reports.
 */
export class BurstWindow {
  private readonly at: Float64Array;
  private next = 0;
  private count = 0;

  constructor(
    private readonly limit: number,
    private readonly windowUs: Micros,
  ) {
    this.at = new Float64Array(Math.max(1, limit));
  }

  /** Records an event at `now`; true when `limit` of them fell inside the window. */
  hit(now: Micros): boolean {
    if (this.limit <= 0) return false;
    const k = this.at.length;
    this.at[this.next] = now;
    this.next = (this.next + 1) % k;
    if (this.count < k) this.count++;
    // The slot about to be overwritten holds the oldest of the last K events.
    if (this.count < k || now - this.at[this.next]! > this.windowUs) return false;
    this.count = 0;
    return true;
  }
}
