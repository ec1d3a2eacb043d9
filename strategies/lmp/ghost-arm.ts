import type { Micros } from '../../core/domain/units.js';
import { SETUP_GATES, TRIGGER_GATES, UNIVERSE_GATES, firstFailing, type LiveState } from './gates.js';
import type { LmpConfig } from './params.js';

/**
 * The setup → trigger path replayed while the real one is blocked by the entry cap or a cooldown, so that those
 * triggers are labelled too (ghost brackets, core/learning). It mirrors `armed()` of the strategy — impulse frozen at
 * arming, pullback measured against it, disarm when too deep or expired — but writes no decision and sends nothing.
 * After a trigger it holds for as long as a real trade would have kept the strategy busy (entry wait + time stop),
 * so one episode gives one ghost. Allocates nothing.
 */
export class GhostArm {
  active = false;
  swingLow = 0;
  private armedAt: Micros = 0;
  private low = 0;
  private high = 0;
  private holdUntil: Micros = 0;

  reset(): void {
    this.active = false;
  }

  /** One batch while blocked; true when a trigger fired now. `s` is read, and left as it was. */
  step(now: Micros, s: LiveState, c: LmpConfig, impulseLow: number, impulseHigh: number): boolean {
    if (!this.active) {
      if (now < this.holdUntil) return false;
      if (firstFailing(UNIVERSE_GATES, s, c) !== null || firstFailing(SETUP_GATES, s, c) !== null) return false;
      this.active = true;
      this.armedAt = now;
      this.low = impulseLow;
      this.high = Math.max(impulseHigh, s.mid);
      this.swingLow = s.bestBid;
      return false;
    }
    if (s.mid > this.high) {
      this.high = s.mid;
      this.swingLow = s.bestBid;
    } else if (s.bestBid < this.swingLow) this.swingLow = s.bestBid;
    const retracement = (this.high - s.mid) / (this.high - this.low);
    const tooDeep = retracement > c.p.maxRetracement && !(s.shelfPresent && s.bestBid >= s.shelfPrice);
    if (firstFailing(UNIVERSE_GATES, s, c) !== null || tooDeep || now - this.armedAt > c.impulseLookback) {
      this.active = false;
      return false;
    }
    const keepR = s.retracement;
    const keepSwing = s.swingLow;
    s.retracement = retracement;
    s.swingLow = this.swingLow;
    const fired = firstFailing(TRIGGER_GATES, s, c) === null;
    // The real path's view of the batch is left as it was.
    s.retracement = keepR;
    s.swingLow = keepSwing;
    if (!fired) return false;
    this.active = false;
    this.holdUntil = now + c.entryMaxWait + c.timeStop;
    return true;
  }
}
