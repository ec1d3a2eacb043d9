import type { Micros } from '../domain/units.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';

/** What the watch asks its owner to do about a silent subscription. */
export interface StaleHost {
  /**
   * The subscription has been silent for `silentFor`. `escalated` is true when the one automatic resubscribe was
   * already spent on this silence. The owner emits `feed.stale` and returns true if it resubscribed (a source that
   * cannot resubscribe, such as a replay, returns false and is never escalated).
   */
  stale(silentFor: Micros, escalated: boolean): boolean;
}

/**
 * The one stale-data watch, used by the replay feed and the TWS feed: silence on one subscription, on the injected
 * Clock (card FEED-23, docs/conformance-cards.md#feed-23; docs/tws-adapter.md#staleness: nautilus PR #3968 took 8 hours to notice
 * bars that had stopped). Data only moves `lastAt`, so the per-event path never touches a timer: the one timer fires
 * at `from + T_stale` and, when data came in the meantime, re-arms itself for the remainder.
 *
 * On silence: stale, resubscribe once, and if the new request is silent for another T_stale too, stale again with
 * `escalated` and then wait for data: no automatic resubscribe loop. The resubscribe counts as spent until data has
 * flowed for a full T_stale after it: TWS answers every new request with the current values, so one snapshot does
 * not prove the line is alive again.
 */
export class StaleWatch {
  lastAt: Micros;
  /** Reported stale and not yet resumed: the next data is a `feed.resumed`. */
  stale = false;
  private resubscribedAt: Micros | null = null;
  /** Silence is measured from max(lastAt, since): a request (re)sent or a link restored starts a fresh count. */
  private since: Micros;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly staleUs: Micros,
    private readonly host: StaleHost,
    private readonly label: string,
  ) {
    this.lastAt = this.since = clock.now();
  }

  /** Data arrived. Returns true when the subscription had been reported stale (the caller emits `feed.resumed`). */
  touch(now: Micros): boolean {
    this.lastAt = now;
    if (this.resubscribedAt !== null && now - this.resubscribedAt >= this.staleUs) this.resubscribedAt = null;
    if (!this.stale) return false;
    this.stale = false;
    if (this.timer === null && this.staleUs > 0) this.arm();
    return true;
  }

  /** Start (or restart) counting silence from now: a request went out, or the link came back with its data. */
  start(): void {
    this.since = this.clock.now();
    this.cancel();
    if (this.staleUs > 0) this.arm(); // T_stale 0: the line is not watched
  }

  /** The link is down: silence is expected and already reported as `feed.interrupted`. */
  cancel(): void {
    if (this.timer !== null) this.clock.cancelTimer(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(Math.max(this.lastAt, this.since) + this.staleUs, () => this.check(), this.label);
  }

  private check(): void {
    this.timer = null;
    const now = this.clock.now();
    if (now - Math.max(this.lastAt, this.since) < this.staleUs) {
      this.arm();
      return;
    }
    this.stale = true;
    const escalated = this.resubscribedAt !== null;
    if (this.host.stale(now - this.lastAt, escalated) && !escalated) {
      this.resubscribedAt = now;
      // start() armed the timer again (the resubscribe sent a request): the new line gets its own T_stale.
    }
  }
}
