import type { Micros } from '../../core/domain/units.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';

/**
 * Silence on one subscription, on the injected Clock (card FEED-23, docs/conformance-cards.md#feed-23). One timer per subscription at most:
 * data only moves `lastAt` (no timer churn on the per-event path), and the timer, when it fires early, re-arms itself for
 * `lastAt + staleUs`. After reporting stale it stays quiet until data returns
 * (FEED-23: `feed.stale` ×1, docs/conformance-cards.md#feed-23).
 */
export class StaleWatch {
  lastAt: Micros;
  stale = false;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly staleUs: Micros,
    private readonly onStale: (silentFor: Micros) => void,
    private readonly label: string,
  ) {
    this.lastAt = clock.now();
    this.arm();
  }

  /** Data arrived now. Returns true when the subscription was stale (the caller emits `feed.resumed`). */
  touch(now: Micros): boolean {
    this.lastAt = now;
    if (!this.stale) return false;
    this.stale = false;
    this.arm();
    return true;
  }

  cancel(): void {
    if (this.timer !== null) this.clock.cancelTimer(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.lastAt + this.staleUs, () => this.check(), this.label);
  }

  private check(): void {
    this.timer = null;
    const silentFor = this.clock.now() - this.lastAt;
    if (silentFor < this.staleUs) {
      this.arm();
      return;
    }
    this.stale = true;
    this.onStale(silentFor);
  }
}
